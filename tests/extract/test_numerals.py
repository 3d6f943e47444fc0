"""Chinese numeral parsing: a table of colloquial and mixed forms, and a hypothesis round trip."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlp.extract._numerals import parse_chinese_number, parse_chinese_range

CASES = [
    ("十二", 12), ("二十八", 28), ("一百零五", 105), ("一千零五十", 1050), ("两千", 2000),
    ("兩千", 2000), ("三万五", 35_000), ("三萬五", 35_000), ("5万3", 53_000), ("一亿二", 120_000_000),
    ("两百五", 250), ("三千五", 3500), ("一万二千五", 12_500), ("十万", 100_000),
    ("一点七八万亿", 1.78e12), ("一點七八萬億", 1.78e12), ("1.2万亿", 1.2e12), ("3千亿", 3e11),
    ("3.5兆", 3.5e12), ("万亿", 1e12), ("亿", 1e8), ("二〇二五", 2025), ("零", 0), ("半", 0.5),
    ("一个半", 1.5), ("7万2000", 72_000), ("1,200万", 12_000_000), ("壹仟贰佰", 1200), ("三万零五", 30_005),
]


@pytest.mark.parametrize("text, expected", CASES, ids=[c[0] for c in CASES])
def test_parse_chinese_number(text: str, expected: float) -> None:
    assert parse_chinese_number(text) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("text", ["", "两三百", "几十", "abc", "三四十万", "五六", "十二三"])
def test_not_a_number(text: str) -> None:
    assert parse_chinese_number(text) is None


@pytest.mark.parametrize(
    "text, expected",
    [("两三百", (200, 300)), ("兩三百", (200, 300)), ("三四十万", (300_000, 400_000)), ("一两千", (1000, 2000)),
     ("五六", (5, 6))],
)
def test_parse_chinese_range(text: str, expected: tuple[int, int]) -> None:
    assert parse_chinese_range(text) == expected


def test_range_needs_adjacent_digits() -> None:
    assert parse_chinese_range("三百") is None
    assert parse_chinese_range("三五百") is None


# --- round trip: a small writer of formal Chinese numerals -----------------------------------

SIMPLIFIED = {"digits": "零一二三四五六七八九", "wan": "万", "yi": "亿", "two": "两"}
TRADITIONAL = {"digits": "零一二三四五六七八九", "wan": "萬", "yi": "億", "two": "兩"}


def _section(n: int, script: dict[str, str], *, leading: bool) -> str:
    """0 < n < 10000 in formal form: 3045 -> 三千零四十五, 12 -> 十二 when leading."""
    digits = script["digits"]
    out = []
    zero = False
    for unit, char in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // unit % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        if d == 2 and unit >= 1000:
            out.append(script["two"])  # 两千 is how 2000 is said; 二十, 二百 stay
        elif not (d == 1 and unit == 10 and leading and not out):
            out.append(digits[d])  # 十二, not 一十二, at the head of a number
        out.append(char)
    return "".join(out)


def to_chinese(n: int, script: dict[str, str]) -> str:
    """Write ``n`` (0 <= n < 10^16) as a Chinese numeral in the given script."""
    if n == 0:
        return "零"
    parts = []
    groups = [(n // 10**12, script["wan"] + script["yi"]), (n // 10**8 % 10**4, script["yi"]),
              (n // 10**4 % 10**4, script["wan"]), (n % 10**4, "")]
    need_zero = False
    for value, suffix in groups:
        if value == 0:
            need_zero = bool(parts)
            continue
        if parts and (need_zero or value < 1000):
            parts.append("零")
        parts.append(_section(value, script, leading=not parts) + suffix)
        need_zero = False
    return "".join(parts)


@given(st.integers(min_value=0, max_value=2**53), st.sampled_from([SIMPLIFIED, TRADITIONAL]))
def test_round_trip(n: int, script: dict[str, str]) -> None:
    """Exact up to 2**53, where floats stop holding every integer."""
    assert parse_chinese_number(to_chinese(n, script)) == n


@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=1, max_value=9))
def test_colloquial_tail(head: int, tail: int) -> None:
    """三万五 style: a lone digit after 万 counts thousands."""
    assert parse_chinese_number(f"{to_chinese(head, SIMPLIFIED)}万{SIMPLIFIED['digits'][tail]}") == head * 10_000 + tail * 1000


@given(st.decimals(min_value=0, max_value=9999, places=2, allow_nan=False, allow_infinity=False),
       st.sampled_from(["万", "亿", "万亿", "萬億", "兆"]))
def test_arabic_with_magnitude(x, magnitude: str) -> None:
    mult = {"万": 10**4, "亿": 10**8, "万亿": 10**12, "萬億": 10**12, "兆": 10**12}[magnitude]
    assert parse_chinese_number(f"{x}{magnitude}") == float(x * mult)
