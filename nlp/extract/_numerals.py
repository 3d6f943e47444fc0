"""Chinese numerals, including the colloquial and mixed forms of financial news.

``parse_chinese_number("三万五") == 35000.0``. Both scripts are read (``萬 億 兩`` as well as
``万 亿 两``), Arabic digits may be mixed in (``5万3``, ``1.2萬億``, ``3千亿``) and the big
magnitudes compound (``万亿`` = 10^12). ``兆`` is 10^12, as in Taiwanese money amounts
(``3.5兆元``); the mega-prefix reading (``兆瓦``) is the unit table's business, not this module's.

Why not cn2an: its strict mode rejects the colloquial forms news writes (``三万五``, ``两百五``),
no mode reads ``一点七八万亿`` or ``3.5兆``, only its "smart" mode reads ``5万3``, and importing it
costs more than this whole module. The grammar is small enough to own, and owning it lets a
hypothesis round trip pin it down (tests/extract/test_numerals.py).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

#: Digit characters (Simplified, Traditional and the banker's forms used on cheques and filings).
DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
    "壹": 1, "贰": 2, "貳": 2, "叁": 3, "參": 3, "肆": 4, "伍": 5, "陆": 6, "陸": 6,
    "柒": 7, "捌": 8, "玖": 9,
}
#: Units below ten thousand, which multiply the digit before them.
SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
#: Magnitudes, which multiply everything before them and compound (``万亿`` = 10^12).
BIG_UNITS: dict[str, int] = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8, "兆": 10**12}
POINT = frozenset("点點.")
HALF = "半"
ZERO = frozenset("零〇○")

_Token = tuple[str, Decimal]  # kind ("d" digit/number, "s" small unit, "b" big unit, "z" zero), value


def parse_chinese_number(s: str) -> float | None:
    """The value of a Chinese (or mixed Chinese-Arabic) numeral, or ``None`` when it is not one.

    Args:
        s: the numeral alone, e.g. ``"二十八"``, ``"三万五"``, ``"5万3"``, ``"一点七八万亿"``.

    Returns:
        The value as a float (exact for integers below 2**53), or ``None`` for text that is not a
        well-formed numeral, including ranges such as ``"两三百"`` (see :func:`parse_chinese_range`).

    Examples:
        >>> parse_chinese_number("三万五"), parse_chinese_number("5万3")
        (35000.0, 53000.0)
        >>> parse_chinese_number("一点七八万亿")
        1780000000000.0
        >>> parse_chinese_number("兩三百") is None
        True
    """
    value = parse_chinese_decimal(s)
    return None if value is None else float(value)


def parse_chinese_decimal(s: str) -> Decimal | None:
    """:func:`parse_chinese_number` as an exact :class:`~decimal.Decimal` (no float rounding)."""
    s = s.strip().replace(",", "")
    if not s:
        return None
    half = False
    if s.endswith(HALF):
        half, s = True, s[:-1]
        if s.endswith("个") or s.endswith("個"):
            s = s[:-1]
        if not s:
            return Decimal("0.5")
    tokens = _tokenize(s)
    if tokens is None:
        return None
    value = _value(tokens)
    if value is None:
        return None
    if half:
        # 一个半 = 1.5, 一万半 = 15000: half of the last unit written.
        last_unit = next((v for k, v in reversed(tokens) if k in "sb"), Decimal(1))
        value += last_unit / 2
    return value


def parse_chinese_range(s: str) -> tuple[float, float] | None:
    """``(low, high)`` of an approximate range written with two adjacent digits (``两三百``).

    Examples:
        >>> parse_chinese_range("两三百"), parse_chinese_range("三四十万")
        ((200.0, 300.0), (300000.0, 400000.0))
        >>> parse_chinese_range("五六"), parse_chinese_range("三百")
        ((5.0, 6.0), None)
    """
    s = s.strip()
    for i in range(len(s) - 1):
        a, b = DIGITS.get(s[i]), DIGITS.get(s[i + 1])
        if a and b and b == a + 1 and (i + 2 == len(s) or s[i + 2] in SMALL_UNITS or s[i + 2] in BIG_UNITS):
            lo = parse_chinese_decimal(s[:i] + s[i] + s[i + 2 :])
            hi = parse_chinese_decimal(s[:i] + s[i + 1 :])
            if lo is not None and hi is not None:
                return float(lo), float(hi)
    return None


def _tokenize(s: str) -> list[_Token] | None:
    tokens: list[_Token] = []
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c.isascii() and c.isdigit() or (c == "." and i + 1 < n and s[i + 1].isascii() and s[i + 1].isdigit()):
            j = i
            while j < n and s[j].isascii() and (s[j].isdigit() or s[j] == "."):
                j += 1
            try:
                tokens.append(("d", Decimal(s[i:j])))
            except InvalidOperation:
                return None
            i = j
        elif c in DIGITS:
            # A run of digit characters: positional (二〇二五 = 2025), with an optional decimal part.
            j = i
            while j < n and s[j] in DIGITS:
                j += 1
            run = s[i:j]
            if j - i > 1 and run[0] in ZERO:
                tokens.append(("z", Decimal(0)))
                run = run.lstrip("零〇○")
            whole = "".join(str(DIGITS[ch]) for ch in run)
            if j < n and s[j] in POINT and j + 1 < n and s[j + 1] in DIGITS:
                k = j + 1
                while k < n and s[k] in DIGITS:
                    k += 1
                frac = "".join(str(DIGITS[ch]) for ch in s[j + 1 : k])
                tokens.append(("d", Decimal(f"{whole or 0}.{frac}")))
                i = k
                continue
            if len(run) > 1 and (j < n and (s[j] in SMALL_UNITS or s[j] in BIG_UNITS)):
                return None  # 两三百: two digits before one unit is a range, not a number
            if len(run) == 2 and DIGITS[run[1]] == DIGITS[run[0]] + 1:
                return None  # 五六 (家): "five or six", not 56
            if run:
                tokens.append(("z" if run in ZERO else "d", Decimal(whole)))
            i = j
        elif c in SMALL_UNITS:
            tokens.append(("s", Decimal(SMALL_UNITS[c])))
            i += 1
        elif c in BIG_UNITS:
            mult = BIG_UNITS[c]
            if tokens and tokens[-1][0] == "b":  # 万亿: magnitudes compound
                tokens[-1] = ("b", tokens[-1][1] * mult)
            else:
                tokens.append(("b", Decimal(mult)))
            i += 1
        else:
            return None
    return tokens


def _value(tokens: list[_Token]) -> Decimal | None:
    """Split at the largest magnitude: left * magnitude + right, recursively."""
    bigs = [i for i, (k, _) in enumerate(tokens) if k == "b"]
    if not bigs:
        return _section(tokens, Decimal(1))
    top = max(bigs, key=lambda i: tokens[i][1])
    mult = tokens[top][1]
    left = _value(tokens[:top]) if top else Decimal(1)
    if left is None:
        return None
    right_tokens = tokens[top + 1 :]
    right = _section_or_value(right_tokens, mult)
    if right is None:
        return None
    return left * mult + right


def _section_or_value(tokens: list[_Token], mult: Decimal) -> Decimal | None:
    if not tokens:
        return Decimal(0)
    if any(k == "b" for k, _ in tokens):
        return _value(tokens)
    # 三万五 = 35000: a lone trailing digit counts in the next unit down (mult / 10);
    # 7万2000 = 72000 is written out in full.
    if len(tokens) == 1 and tokens[0][0] == "d" and tokens[0][1] < 10 and tokens[0][1] == tokens[0][1].to_integral_value():
        return tokens[0][1] * mult / 10
    return _section(tokens, mult)


def _section(tokens: list[_Token], mult: Decimal) -> Decimal | None:
    """A value below ten thousand from digits and 十/百/千, e.g. 两千零五十, 三千五, 十二."""
    total = Decimal(0)
    digit: Decimal | None = None
    last_unit: Decimal | None = None
    after_zero = False
    for kind, v in tokens:
        if kind == "d":
            if digit is not None:
                return None
            digit = v
        elif kind == "z":
            after_zero = True
        elif kind == "s":
            if last_unit is not None and v >= last_unit:
                return None  # 百十: units must fall
            total += (Decimal(1) if digit is None else digit) * v
            digit, last_unit, after_zero = None, v, False
        else:
            return None
    if digit is not None:
        if last_unit is not None and not after_zero:
            total += digit * last_unit / 10  # 三千五 = 3500, 两百五 = 250
        else:
            total += digit
    elif last_unit is None and not after_zero:
        return None if not tokens else total
    return total
