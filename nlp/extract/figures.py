"""Figures: quantities with a unit, normalised (SPEC section 5).

One compiled pattern finds number candidates in ``doc.text`` (Simplified, ASCII-folded): Arabic
numbers with separators and Chinese or English magnitudes (``890 亿``, ``$18bn``, ``5万3``),
Chinese numerals (``三万五``, ``一点七八万亿``, ``两三百``) and ``百分之…``. Small anchored patterns
then read what sits right after each candidate (English magnitude, a range's second half, the
unit) and, rarely, what sits before it (index names, time words, ratio cues). Spans are mapped to
the original text once, at the end.

Rules worth knowing (each has a test in tests/extract/test_figures.py):

* A number without a unit is not a figure, with two exceptions. A bare *magnitude* (``260億``,
  ``26 billion``) that follows a money figure in the same sentence takes its currency
  ("300億美金的融資,中間260億…"). A bare number right after a ratio cue (``之比``, ``ratio of``,
  ``市盈率``) is reported with ``unit=None`` and kind ``ratio``.
* ``元`` alone is CNY, except in a zh-Hant document that never says 人民币/RMB, where it is TWD
  (Taiwan is the main source of Traditional-script financial news; Hong Kong papers write 港元).
  ``¥`` is JPY in English text and CNY in Chinese text. A bare ``$`` is USD.
* ``点`` is an index level only near an index word (指数, 大盘, KOSPI, S&P…) or from 1,000 up, and
  never after a time word (下午3点). ``度`` is a kWh only when the sentence is about electricity.
* Counts (人, 股, 家, 台…) need an Arabic number or a value of at least ten: ``一家``, ``两人`` are
  words, not figures.
* A range (``40%到50%``, ``40-50%``, ``2-3万亿``, ``两三百点``) is one figure with
  ``value``/``value_max``; if its halves disagree on the unit, or do not rise, they are two figures.
  "from 3% to 5%" (从…到) is a change, not a range: two figures.
* The sign is kept only when written (``-8.5%``, ``负8.5%``, ``minus 8.5%``); 下跌8.5% is 8.5.
* Not figures: years, dates, clock times, ordinals (第三), quarter labels (Q3, 三季度), model names
  (H100, GPT-4o), tickers and stock codes: they carry no unit, and letters glued to a number
  disqualify it.
"""

from __future__ import annotations

import csv
import re
from bisect import bisect_right
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from nlp.extract._numerals import parse_chinese_decimal, parse_chinese_range
from nlp.normalize import NormalizedText
from nlp.records import Field, Figure, FigureKind

UNITS_CSV = Path(__file__).resolve().parents[1] / "data" / "units.csv"

_AR = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])|\d+(?:\.\d+)?"
_MAGCH = r"(?:[万亿]|千(?!瓦)|百(?!分)|兆(?!瓦))"
_AR_MAG = rf"\s?{_MAGCH}(?:{_MAGCH}|[0-9零一二三四五六七八九两](?![\d.]))*"
_CNCH = r"(?:[零〇一二两三四五六七八九十万亿]|百(?!分)|千(?!瓦)|兆(?!瓦)|点(?=[零〇一二三四五六七八九]))"
_CN = rf"(?:[一二两三四五六七八九十万亿]|百(?!分)|千(?!瓦)|兆(?!瓦)){_CNCH}*(?:个半)?"
BIG_MAGNITUDES = frozenset("万亿兆")
MAGNITUDE_CHARS = frozenset("万亿兆千百")

RE_EN_MAG = re.compile(
    r"\s?(?P<w>(?i:thousand|million|billion|trillion|mln|bln|mn|bn|tn)|[kKmMbBtT])(?![A-Za-z0-9])"
)
EN_MAG: dict[str, int] = {
    "thousand": 10**3, "k": 10**3, "million": 10**6, "mln": 10**6, "mn": 10**6, "m": 10**6,
    "billion": 10**9, "bln": 10**9, "bn": 10**9, "b": 10**9, "trillion": 10**12, "tn": 10**12, "t": 10**12,
}
RE_RANGE = re.compile(r"\s?(?P<c>-|–|~|至|到|(?i:to|and)(?=\s))\s?")
RE_SENTENCE_END = re.compile(r"[。!?;\n]|(?<![A-Z])\.(?=\s)")
RE_INDEX_CONTEXT = re.compile(
    r"指数|股指|大盘|道指|纳指|恒指|沪指|深指|上证|深证|创业板|科创|标普|道琼斯|纳斯达克|日经|恒生|点位|关口|"
    r"(?i:index|indices|benchmark|dow|s&p|nasdaq|nikkei|kospi|ftse|hang seng|stoxx|dax|topix|msci)"
)
RE_INDEX_AFTER = re.compile(r"\s?(?:关口|大关|点位|整数关)")
RE_TIME_BEFORE = re.compile(r"(?:上午|下午|晚上|凌晨|早上|中午|今晚|傍晚|晚间|北京时间|时间)\s?$")
RE_INDEX_NAME_BEFORE = re.compile(
    r"(?:S&P|标普|罗素|Russell|FTSE|Stoxx|STOXX|沪深|中证|上证|恒生|Nasdaq|纳斯达克|纳指|KOSPI|日经|Nikkei|"
    r"DAX|CAC|MSCI|TOPIX|道琼斯|创业板|科创)\s?$"
)
RE_RATIO_CUE = re.compile(r"之比|比率|比值|比例为|市盈率|市净率|市销率|(?i:ratio|p/e|price-to-earnings)")
RE_DATE_AFTER = re.compile(r"\s?(?:年|月|日|号|季|时|分|秒|周|天|/)")
RE_TIMES_NEXT = re.compile(
    r"\s(?i:earnings|sales|revenues?|book|forward|trailing|ebitda|more|as|larger|bigger|higher|greater|"
    r"faster|over|its|the)\b"
)
RE_FROM_BEFORE = re.compile(r"(?:从|由|(?i:from|by)\s)\s?$")
RE_BETWEEN_BEFORE = re.compile(r"(?i:between)\s$")
RE_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class _Unit:
    kind: FigureKind
    unit: str
    scale: Decimal
    rule: str


@dataclass(frozen=True, slots=True)
class _Tables:
    pre: dict[str, _Unit]
    post: dict[str, _Unit]
    candidate: re.Pattern[str]
    unit: re.Pattern[str]


@dataclass(slots=True)
class _Num:
    """One number as read: ``lo`` (and ``hi`` for a Chinese range) times ``mult``."""

    start: int
    end: int
    lo: Decimal
    hi: Decimal | None
    mult: Decimal
    big: bool  # a magnitude of 10^4 and up was written (万, 亿, million…): carry may apply
    mag: bool  # any magnitude was written (a range's first half may borrow the second's)
    arabic: bool
    negative: bool
    pre: _Unit | None
    unit: _Unit | None = None


def _alternation(surfaces: dict[str, tuple[str, str]]) -> str:
    parts = []
    for surface, (case, unless) in sorted(surfaces.items(), key=lambda kv: -len(kv[0])):
        p = re.escape(surface)
        if case == "icase":
            p = f"(?i:{p})"
        if surface.isascii() and surface[-1].isalnum():
            p += r"(?![A-Za-z0-9])"
        if unless:
            p += f"(?![{re.escape(unless)}])"
        parts.append(p)
    return "|".join(parts)


@cache
def _tables() -> _Tables:
    """Read the unit table and compile the patterns (once, on first use)."""
    pre: dict[str, _Unit] = {}
    post: dict[str, _Unit] = {}
    pre_alt: dict[str, tuple[str, str]] = {}
    post_alt: dict[str, tuple[str, str]] = {}
    with UNITS_CSV.open(encoding="utf-8") as fh:
        for row in csv.DictReader(line for line in fh if not line.startswith("#")):
            surface = row["surface"]
            unit = _Unit(row["kind"], row["unit"], Decimal(row["scale"]), row["rule"])  # type: ignore[arg-type]
            key = surface.lower() if row["case"] == "icase" else surface
            table, alt = (pre, pre_alt) if row["position"] == "pre" else (post, post_alt)
            table[key] = unit
            alt[surface] = (row["case"], row["unless"])
    first = "".join(sorted({s[0] for s in post_alt if not s.isascii() and s[0] != "个"} | {"%"}))
    ge = "|".join(re.escape(s[1:]) for s in post_alt if s[0] == "个")
    candidate = re.compile(
        r"(?<![A-Za-z0-9_.])(?<![A-Za-z]-)(?<!第)(?<!第\s)"
        r"(?:(?P<sign>[-−]|负|(?i:minus|negative)\s)\s?)?"
        rf"(?:(?P<pre>{_alternation(pre_alt)})\s?)?"
        rf"(?:百分之(?P<pct>{_AR}|{_CN})"
        rf"|(?P<ar>{_AR})(?P<mag>{_AR_MAG})?"
        rf"|(?P<cn>{_CN})(?=\s?(?:[{re.escape(first)}]|个(?:{ge})))"
        rf"|(?=[零〇一二两三四五六七八九十百千点]*[万亿兆])(?P<cnb>{_CN}))"
    )
    unit = re.compile(rf"\s?(?P<u>{_alternation(post_alt)})")
    return _Tables(pre, post, candidate, unit)


def _lookup(table: dict[str, _Unit], surface: str) -> _Unit:
    return table.get(surface) or table[surface.lower()]


def extract_figures(doc: NormalizedText, *, field: Field = "text") -> list[Figure]:
    """Every quantity with a unit in ``doc``, normalised, as spans of ``doc.original``.

    Args:
        doc: the normalised article text (or title: pass ``field="title"``).
        field: recorded on each figure.

    Returns:
        Figures sorted by start; ``text == doc.original[start:end]``.

    Examples:
        >>> from nlp.normalize import normalize
        >>> [(f.text, f.value, f.unit) for f in extract_figures(normalize("流入 890 億美元,上漲 28%。"))]
        [('890 億美元', 89000000000.0, 'USD'), ('28%', 28.0, '%')]
    """
    return _Extractor(doc, field).run()


class _Extractor:
    """The state of one pass over one text: sentence ends, the currency to carry, the doc's 元."""

    def __init__(self, doc: NormalizedText, field: Field) -> None:
        self.doc = doc
        self.text = doc.text
        self.field = field
        self.t = _tables()
        self._ends: list[int] | None = None
        self._yuan: str | None = None

    def run(self) -> list[Figure]:
        text, out = self.text, []
        carry: tuple[int, str] | None = None  # (sentence index, currency) of the last money figure
        pos, search = 0, self.t.candidate.search
        while (m := search(text, pos)) is not None:
            first = self._read(m)
            if first is None:
                pos = m.end()
                continue
            pos = first.end
            second = self._range_tail(first)
            if second is not None:
                pos = second.end
            fig = self._figure(first, second, carry)
            if fig is not None:
                out.append(fig)
                if fig.kind == "money" and fig.unit:
                    carry = (self._sentence(first.start), fig.unit)
        return self._to_original(out)

    # -- reading --------------------------------------------------------------------------
    def _read(self, m: re.Match[str], *, allow_sign: bool = True) -> _Num | None:
        """A candidate's number, English magnitude and unit; ``None`` when it is not a number."""
        g = m.groupdict()
        if g["sign"] and not allow_sign:
            return None
        hi: Decimal | None = None
        mult = Decimal(1)
        big = arabic = False
        if g["ar"] is not None:
            arabic = True
            lo = Decimal(g["ar"].replace(",", ""))
            if g["mag"]:
                mag = g["mag"].strip()
                big = any(c in BIG_MAGNITUDES for c in mag)
                if all(c in MAGNITUDE_CHARS for c in mag):  # 亿, 万亿, 千亿: a multiplier
                    mult = parse_chinese_decimal("1" + mag) or Decimal(1)
                else:  # colloquial or mixed (5万3, 3千5百万): the whole is one numeral
                    whole = parse_chinese_decimal(g["ar"] + mag)
                    if whole is None:
                        return None
                    lo = whole
        else:
            numeral = g["pct"] or g["cn"] or g["cnb"]
            if numeral is None:
                return None
            arabic = numeral[0].isascii()
            parsed = parse_chinese_decimal(numeral)
            if parsed is None:
                rng = parse_chinese_range(numeral)
                if rng is None:
                    return None
                parsed, hi = Decimal(str(rng[0])), Decimal(str(rng[1]))
            lo = parsed
            big = any(c in BIG_MAGNITUDES for c in numeral)
        pre = _lookup(self.t.pre, g["pre"]) if g["pre"] else None
        num = _Num(m.start(), m.end(), lo, hi, mult, big, bool(g["mag"]), arabic, bool(g["sign"]), pre)
        if g["pct"] is not None:
            num.unit = self.t.post["%"]
            return num
        if g["ar"] is not None and not g["mag"] and (em := RE_EN_MAG.match(self.text, num.end)):
            word = em.group("w")
            if len(word) > 1 or pre is not None:  # "5m" alone may be metres; "$5m" is money
                factor = EN_MAG[word.lower()]
                num.mult, num.big, num.mag, num.end = Decimal(factor), factor >= 10**6, True, em.end()
        self._read_unit(num)
        return num

    def _read_unit(self, num: _Num) -> None:
        um = self.t.unit.match(self.text, num.end)
        if um is None:
            return
        surface = um.group("u")
        if surface == "x" and um.start("u") != num.end:
            return  # "3 x 4" is arithmetic, "3x" a multiple
        unit = _lookup(self.t.post, surface)
        if unit.rule and not self._rule_holds(unit.rule, num, um.end()):
            return
        num.unit, num.end = unit, um.end()

    def _rule_holds(self, rule: str, num: _Num, unit_end: int) -> bool:
        text = self.text
        value = num.lo * num.mult
        if rule == "count":
            return (num.arabic or value >= 10) and not self._after_index_name(num)
        if rule == "index":
            if RE_TIME_BEFORE.search(text, max(0, num.start - 6), num.start):
                return False
            return bool(
                value >= 1000
                or RE_INDEX_AFTER.match(text, unit_end)
                or RE_INDEX_CONTEXT.search(text, self._sentence_start(num.start, 40), num.start)
            ) and (num.arabic or value >= 10)
        if rule == "electricity":
            return "电" in text[self._sentence_start(num.start, 60) : unit_end + 10]
        if rule == "times":
            return bool(RE_TIMES_NEXT.match(text, unit_end))
        return True

    def _range_tail(self, first: _Num) -> _Num | None:
        """The second half of a range that starts with ``first``, if there is one."""
        if first.hi is not None:
            return None
        rm = RE_RANGE.match(self.text, first.end)
        if rm is None:
            return None
        conn = rm.group("c").lower()
        before = self.text[max(0, first.start - 8) : first.start]
        if conn in ("to", "到") and RE_FROM_BEFORE.search(before):
            return None  # from 3% to 5%: a change, not a range
        if conn == "and" and not RE_BETWEEN_BEFORE.search(before):
            return None
        m2 = self.t.candidate.match(self.text, rm.end())
        if m2 is None or m2.group("pct") is not None:
            return None
        second = self._read(m2, allow_sign=False)
        if second is None or second.hi is not None:
            return None
        if second.pre is not None and (first.pre is None or second.pre.unit != first.pre.unit):
            return None
        u1, u2 = first.unit, second.unit
        if u1 is not None and u2 is not None and (u1.unit, u1.scale) != (u2.unit, u2.scale):
            return None
        if u1 is not None and u2 is None and first.pre is None:
            return None  # 40%到50 is not a range we can trust
        if not first.mag and second.mag:
            first.mult, first.big = second.mult, second.big  # 2-3万亿, $1-2 billion
        if first.lo * first.mult >= second.lo * second.mult:
            return None
        return second

    # -- building -------------------------------------------------------------------------
    def _figure(self, a: _Num, b: _Num | None, carry: tuple[int, str] | None) -> Figure | None:
        unit = (b.unit if b is not None and b.unit is not None else a.unit) if a.pre is None else a.pre
        if a.pre is not None and a.unit is not None and a.unit.kind != "money":
            unit = a.unit  # "$" then "%" cannot both hold; the suffix is more specific
        kind: FigureKind
        code: str | None
        if unit is not None:
            kind, code, scale = unit.kind, unit.unit, unit.scale
            if code == "YUAN":
                code = self._yuan_code()
            elif code == "YEN":
                code = "JPY" if self.doc.lang == "en" else "CNY"
        elif a.big and carry is not None and carry[0] == self._sentence(a.start):
            kind, code, scale = "money", carry[1], Decimal(1)
        elif self._is_ratio(a, b):
            kind, code, scale = "ratio", None, Decimal(1)
        else:
            return None
        sign = -1 if a.negative else 1
        lo = float(sign * a.lo * a.mult * scale)
        hi = None
        end = a.end
        if b is not None:
            hi, end = float(sign * b.lo * b.mult * scale), b.end
        elif a.hi is not None:
            hi = float(sign * a.hi * a.mult * scale)
        return Figure(text="", value=lo, unit=code, kind=kind, start=a.start, end=end,
                      field=self.field, value_max=hi)

    def _is_ratio(self, a: _Num, b: _Num | None) -> bool:
        if b is not None or a.hi is not None or a.negative or a.mag or not a.arabic:
            return False
        text = self.text
        cue = None
        for cue in RE_RATIO_CUE.finditer(text, self._sentence_start(a.start, 24), a.start):
            pass
        if cue is None or RE_DIGIT.search(text, cue.end(), a.start):
            return False
        return not RE_DATE_AFTER.match(text, a.end)

    def _after_index_name(self, num: _Num) -> bool:
        return bool(RE_INDEX_NAME_BEFORE.search(self.text, max(0, num.start - 12), num.start))

    def _yuan_code(self) -> str:
        if self._yuan is None:
            rmb = "人民币" in self.text or "RMB" in self.text
            self._yuan = "TWD" if self.doc.lang == "zh-Hant" and not rmb else "CNY"
        return self._yuan

    def _sentence(self, pos: int) -> int:
        if self._ends is None:
            self._ends = [m.start() for m in RE_SENTENCE_END.finditer(self.text)]
        return bisect_right(self._ends, pos - 1)

    def _sentence_start(self, pos: int, window: int) -> int:
        """The later of ``pos - window`` and the start of the sentence holding ``pos``."""
        k = self._sentence(pos)
        start = self._ends[k - 1] + 1 if k and self._ends else 0  # type: ignore[index]
        return max(start, pos - window, 0)

    def _to_original(self, figures: list[Figure]) -> list[Figure]:
        out = []
        original = self.doc.original
        for f in figures:
            s, e = self.doc.to_original(f.start, f.end)
            out.append(Figure(original[s:e], f.value, f.unit, f.kind, s, e, f.field, f.value_max))
        out.sort(key=lambda f: f.start)
        return out
