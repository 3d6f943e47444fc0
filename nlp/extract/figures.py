"""Figures: quantities with a unit, normalised (SPEC section 5).

One compiled pattern finds number candidates in ``doc.text`` (Simplified, ASCII-folded): Arabic
numbers with separators and Chinese magnitudes (``890 亿``, ``5万3``), Chinese numerals
(``三万五``, ``一点七八万亿``, ``两三百``) and ``百分之…``. It opens with a plain character class so
that the regex engine skips ahead with its fast character scan instead of trying the whole pattern
at every position (5x faster). Small anchored patterns then read what sits right after a
candidate (English magnitude, a range's second half, the unit) and, only when the character before
it calls for it, what sits before it (currency prefix, sign). Bare numbers leave on a fast path
before any arithmetic. Spans are mapped to the original text once, at the end.

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
* English number words are numbers too: ``five percent``, ``three billion dollars``, ``twenty-five
  per cent``, ``one hundred and fifty million euros``, ``half a trillion dollars``, ``ten times
  sales``. A phrase must start with a count word (``one``…``ninety``) or ``a``/``half a`` before a
  magnitude, so the ``million`` of ``5 million`` stays with its digits; counts of people, jobs…
  need a value of at least ten, as for Chinese numerals (``two people`` is prose).
* The sign is kept only when written (``-8.5%``, ``负8.5%``, ``minus 8.5%``); 下跌8.5% is 8.5.
* Not figures: years, dates, clock times, ordinals (第三), quarter labels (Q3, 三季度), model names
  (H100, GPT-4o), tickers and stock codes: they carry no unit, and letters glued to a number
  disqualify it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import ahocorasick

from nlp.extract._numerals import parse_chinese_decimal, parse_chinese_range
from nlp.files import read_table
from nlp.records import Field, Figure, FigureKind
from nlp.text.normalize import NormalizedText

UNITS_CSV = Path(__file__).resolve().parent / "data" / "units.csv"

_DIGITS_CN = "零〇一二两三四五六七八九"
_START = "0-9一二两三四五六七八九十百千万亿兆"  # every number starts with one of these
_AR_REST = r"\d{0,2}(?:,\d{3})+(?:\.\d+)?(?![\d,])|\d*(?:\.\d+)?"  # after the first digit
_AR = rf"\d(?:{_AR_REST})"
_MAGCH = r"(?:[万亿]|千(?!瓦)|百(?!分)|兆(?!瓦))"
_AR_MAG = rf"\s?{_MAGCH}(?:{_MAGCH}|(?<=[万亿])\d{{1,4}}(?![\d.])|[1-9{_DIGITS_CN}](?![\d.]))*"
_CNCH = rf"(?:[{_DIGITS_CN}十万亿]|百(?!分)|千(?!瓦)|兆(?!瓦)|点(?=[{_DIGITS_CN}]))"
_CN = rf"(?:[一二两三四五六七八九十万亿]|百(?!分)|千(?!瓦)|兆(?!瓦)){_CNCH}*(?:个半)?"
BIG_MAGNITUDES = frozenset("万亿兆")
MAGNITUDE_CHARS = frozenset("万亿兆千百")
ONE = Decimal(1)

_EN_MAG = r"\s?(?P<w>(?i:thousand|million|billion|trillion|mln|bln|mn|bn|tn)|[kKmMbBtT])(?![A-Za-z0-9])"
EN_MAG: dict[str, int] = {
    "thousand": 10**3, "k": 10**3, "million": 10**6, "mln": 10**6, "mn": 10**6, "m": 10**6,
    "billion": 10**9, "bln": 10**9, "bn": 10**9, "b": 10**9, "trillion": 10**12, "tn": 10**12, "t": 10**12,
}
RE_RANGE = re.compile(r"\s?(?P<c>-|–|~|至|到|(?i:to|and)(?=\s))\s?(?P<pre>US\$|HK\$|NT\$|\$|€|£|¥|￥)?")
#: Characters right before a number that may end a sign or a currency prefix.
LOOKBACK = frozenset("$€£₩¥￥-−负币元ABCDEFGHIJKLMNOPQRSTUVWXYZ")
#: ... and, before a space, the last characters of prefixes written with one (RMB 50, minus 2).
LOOKBACK_SPACE = frozenset("$€£₩¥￥-−负BDPRSWYse")
RANGE_FIRST = frozenset(" -–~至到")
# Opens with a character class for the engine's fast scan; "U.S. dollars" does not end a sentence.
RE_SENTENCE_END = re.compile(r"[。!?;\n.](?:(?<=\.)(?<![A-Z]\.)(?=\s)|(?<!\.))")
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

# English number words. Written here rather than taken from word2number or text2num: those turn a
# whole string into digits and report no spans, and every figure must point into the original.
EN_SMALL: dict[str, int] = {
    w: i for i, w in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
    )
} | {w: 10 * i for i, w in enumerate(["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"], start=2)}
EN_SCALE: dict[str, int] = {"hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_EN_SMALL_ALT = "|".join(sorted(EN_SMALL, key=len, reverse=True))
_EN_WORD = rf"(?:{_EN_SMALL_ALT}|{'|'.join(EN_SCALE)})"
_AFTER_MAGNITUDE = "(?:" + "|".join(f"(?<={w})" for w in EN_SCALE) + ")"
#: A number-word phrase, matched only where :func:`_number_words` finds that one may start.
RE_EN_NUMBER = re.compile(
    rf"(?i:(?:(?P<half>half\s+a\s+)|(?P<a>a\s+))?"
    # "and" joins only after a magnitude (one hundred and fifty); "five and ten" is two numbers.
    rf"(?P<words>{_EN_WORD}(?:(?:{_AFTER_MAGNITUDE}\s+and\s+|[\s-]+)(?:{_EN_WORD}))*)(?![A-Za-z0-9]))"
)
RE_A_BEFORE = re.compile(r"(?i:(?:half\s+a|a)\s+)\Z")
RE_EN_TOKEN = re.compile(r"[a-z]+")


@cache
def _number_word_automaton() -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for word in (*EN_SMALL, *EN_SCALE):
        automaton.add_word(word, word)
    automaton.make_automaton()
    return automaton


def _number_words(text: str) -> list[re.Match[str]]:
    """Every English number-word phrase in ``text``, in order.

    An Aho-Corasick pass over the lower-cased text finds the few places where a phrase may start;
    the phrase pattern runs only there. Running it over the whole text made figure extraction
    four times slower.
    """
    low = text.lower()
    if len(low) != len(text):  # a few non-ASCII letters change length when lower-cased
        low = "".join(c.lower() if c.isascii() else c for c in text)
    out: list[re.Match[str]] = []
    done = 0
    for end, word in _number_word_automaton().iter(low):
        start = end - len(word) + 1
        if start < done or (start and _glued(low[start - 1])) or (low[end + 1 : end + 2].isascii() and low[end + 1 : end + 2].isalpha()):
            continue
        if word in EN_SCALE:  # a magnitude starts a phrase only as "a million", "half a billion"
            a = RE_A_BEFORE.search(text, max(0, start - 12), start)
            if a is None or (a.start() and _glued(text[a.start() - 1])):
                continue
            start = a.start()
        m = RE_EN_NUMBER.match(text, start)
        if m is not None:
            out.append(m)
            done = m.end()
    return out


def _glued(c: str) -> bool:
    """Whether a character next to a word makes it part of a longer Latin token (money, often)."""
    return c.isascii() and (c.isalnum() or c == "-")


def parse_english_number(words: str) -> tuple[int, int] | None:
    """``(value, largest magnitude written)`` of number words; ``None`` when they do not form one.

    >>> parse_english_number("one hundred and fifty million")
    (150000000, 1000000)
    >>> parse_english_number("twenty-five")
    (25, 1)
    >>> parse_english_number("five three") is None  # two numbers side by side
    True
    """
    total = current = 0
    largest = 1
    last: str | None = None  # "small", "hundred" or "scale": what may follow what
    for token in RE_EN_TOKEN.findall(words.lower()):
        if token == "and":
            continue
        if token in EN_SMALL:
            value = EN_SMALL[token]
            if last == "small" and not (value < 10 and current % 100 >= 20 and current % 10 == 0):
                return None  # "five three"; "twenty five" is fine
            current += value
            last = "small"
        elif token == "hundred":
            if last == "hundred":
                return None
            current = (current or 1) * 100
            last = "hundred"
        else:
            scale = EN_SCALE[token]
            if scale > largest and total:
                total = (total + current) * scale  # "one thousand billion", "two million million"
            elif last == "scale":
                return None  # "billion million"
            else:
                total += (current or 1) * scale
            current, largest, last = 0, max(largest, scale), "scale"
    return total + current, largest


_Raw = tuple[float, "str | None", FigureKind, int, int, "float | None"]


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
    lookback: re.Pattern[str]
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
    for row in read_table(UNITS_CSV, delimiter=","):
        surface = row["surface"]
        unit = _Unit(row["kind"], row["unit"], Decimal(row["scale"]), row["rule"])  # type: ignore[arg-type]
        key = surface.lower() if row["case"] == "icase" else surface
        table, alt = (pre, pre_alt) if row["position"] == "pre" else (post, post_alt)
        table[key] = unit
        alt[surface] = (row["case"], row["unless"])
    first = "".join(sorted({s[0] for s in post_alt if not s.isascii() and s[0] != "个"} | {"%"}))
    ge = "|".join(re.escape(s[1:]) for s in post_alt if s[0] == "个")
    unit_ahead = rf"(?=\s?(?:[{re.escape(first)}]|个(?:{ge})))"
    units = _alternation(post_alt)
    not_a_unit = r"(?!(?<=百)分|(?<=[千兆])瓦)"  # 百分点, 千瓦, 兆瓦 are units, not numerals
    candidate = re.compile(
        rf"[{_START}]"  # consumed first so that the engine scans fast; the rest looks back at it
        rf"(?<![0-9_.{_DIGITS_CN}十百千万亿兆点].)(?<!第.)(?<!第\s.)"
        rf"(?:(?<=百)分之(?P<pct>{_AR}|{_CN})"
        rf"|(?<=\d)(?P<ar>{_AR_REST})(?:(?P<mag>{_AR_MAG})|(?P<em>{_EN_MAG}))?"
        rf"|(?<=[{_START[3:]}]){not_a_unit}(?P<cn>{_CNCH}*(?:个半)?){unit_ahead}"
        rf"|(?<=[{_START[3:]}]){not_a_unit}(?:(?<=[万亿兆])|(?=[{_DIGITS_CN}十百千点]*[万亿兆]))"
        rf"(?P<cnb>{_CNCH}*(?:个半)?))"
    )
    lookback = re.compile(
        r"(?<![A-Za-z0-9_.])"
        r"(?:(?P<sign>(?<![A-Za-z0-9%)])[-−]|负|(?i:minus|negative)\s)\s?)?"
        rf"(?:(?P<pre>{_alternation({k: v for k, v in pre_alt.items() if k.isascii()})})\s?"
        rf"|(?P<prezh>{_alternation({k: v for k, v in pre_alt.items() if not k.isascii()})}))?\Z"
    )
    firsts = {c for s in post_alt for c in (s[0], s[0].lower(), s[0].upper())}
    # The class in front lets most numbers (2025年, 5 月, 12,) fail before the long alternation.
    unit = re.compile(rf"\s?(?=[{re.escape(''.join(sorted(firsts)))}])(?P<u>{units})")
    return _Tables(pre, post, candidate, lookback, unit)


RE_LATIN_WORD = re.compile(r"[a-z]{3}", re.I)


def _has_latin(text: str) -> bool:
    """Whether a (Chinese) text holds a Latin word at all: most do not need the number-word pass."""
    return RE_LATIN_WORD.search(text) is not None


def _lookup(table: dict[str, _Unit], surface: str) -> _Unit:
    return table.get(surface) or table[surface.lower()]


@cache
def _multiplier(mag: str) -> Decimal | None:
    """亿 -> 10^8, 万亿 -> 10^12; ``None`` when ``mag`` holds digits (5万3 is one numeral)."""
    return parse_chinese_decimal("1" + mag) if all(c in MAGNITUDE_CHARS for c in mag) else None


def extract_figures(doc: NormalizedText, *, field: Field = "text") -> list[Figure]:
    """Every quantity with a unit in ``doc``, normalised, as spans of ``doc.original``.

    Args:
        doc: the normalised article text (or title: pass ``field="title"``).
        field: recorded on each figure.

    Returns:
        Figures sorted by start; ``text == doc.original[start:end]``.

    Examples:
        >>> from nlp.text.normalize import normalize
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
        self._yuan: str | None = None
        self._ratio_cue: bool | None = None

    def run(self) -> list[Figure]:
        text, out = self.text, []
        carry: tuple[int, str] | None = None  # (end, currency) of the last money figure
        pos, search = 0, self.t.candidate.search
        # Number words, read in text order with the numerals so that a currency carries across both.
        words = _number_words(text) if self.doc.lang == "en" or _has_latin(text) else []
        w = 0
        while True:
            m = search(text, pos)
            while w < len(words) and words[w].start() < pos:
                w += 1
            if w < len(words) and (m is None or words[w].start() < m.start()):
                first = self._read_words(words[w])
                w += 1
                if first is None:
                    continue
                second = self._range_tail(first)
            elif m is None:
                break
            else:
                pos = m.end()
                first = self._read(m)
                if first is None:
                    continue
                second = self._range_tail(first)
            pos = (second or first).end
            fig = self._figure(first, second, carry)
            if fig is not None:
                out.append(fig)
                if fig[2] == "money" and fig[1]:
                    carry = (fig[4], fig[1])
        return self._to_original(out)

    def _read_words(self, m: re.Match[str], *, second: bool = False) -> _Num | None:
        """A number written in English words, its prefix, sign and unit; ``None`` if not one."""
        parsed = parse_english_number(m.group("words"))
        if parsed is None:
            return None
        value, largest = parsed
        head = self._lookback(m.start(), second)
        if head is None:
            return None
        start, sign, pre = head
        # A phrase that ends on a magnitude keeps it apart, so that a range's first half can
        # borrow it: "five to six thousand jobs" is 5,000 to 6,000.
        last = m.group("words").lower().rsplit(maxsplit=1)[-1].rsplit("-", 1)[-1]
        mult = Decimal(EN_SCALE[last]) if last in EN_SCALE else ONE
        lo = Decimal(value) / mult / (2 if m.group("half") else 1)
        num = _Num(start, m.end(), lo, None, mult, largest >= 10**6, largest >= 10**3, False, sign, pre)
        um = self.t.unit.match(self.text, num.end)
        if um is not None and um.group("u") == "won" and value < 1000:
            um = None  # "no one won the award": the verb, not Korean money
        self._read_unit(num, um)
        return num

    # -- reading --------------------------------------------------------------------------
    def _read(self, m: re.Match[str], *, second: bool = False) -> _Num | None:
        """A candidate's number, prefix, sign, English magnitude and unit; ``None`` if not one."""
        head = self._lookback(m.start(), second)
        if head is None:
            return None
        start, sign, pre = head
        if m.group("ar") is not None:
            return self._read_arabic(m, start, sign, pre)
        if (numeral := m.group("pct")) is None:
            numeral = m.group()
        parsed = parse_chinese_decimal(numeral)
        hi = None
        if parsed is None:
            rng = parse_chinese_range(numeral)
            if rng is None:
                return None
            parsed, hi = Decimal(str(rng[0])), Decimal(str(rng[1]))
        big = any(c in BIG_MAGNITUDES for c in numeral)
        num = _Num(start, m.end(), parsed, hi, ONE, big, False, numeral[0].isascii(), sign, pre)
        if m.group("pct") is not None:
            num.unit = self.t.post["%"]
        else:
            self._read_unit(num, self.t.unit.match(self.text, num.end))
        return num

    def _lookback(self, start: int, second: bool) -> tuple[int, bool, _Unit | None] | None:
        """Where the figure starts, given a sign or currency prefix before the number."""
        text = self.text
        before = text[start - 1] if start else ""
        if second:
            return start, False, None
        if before in LOOKBACK or (before == " " and start > 1 and text[start - 2] in LOOKBACK_SPACE):
            lb = self.t.lookback.search(text, max(0, start - 12), start)
            if lb is not None and lb.start() < start:
                pre_s = lb.group("pre") or lb.group("prezh")
                pre = _lookup(self.t.pre, pre_s.strip()) if pre_s else None
                return lb.start(), lb.group("sign") is not None, pre
        if before.isascii() and before.isalpha():
            return None  # H100, Q3, FY2026: letters glued to a number
        if before == "-" and start > 1 and text[start - 2].isascii() and text[start - 2].isalpha():
            return None  # GPT-4, COVID-19
        return start, False, None

    def _read_arabic(self, m: re.Match[str], start: int, sign: bool, pre: _Unit | None) -> _Num | None:
        text, mag, em = self.text, m.group("mag"), m.group("em")
        if em is not None and len(m.group("w")) == 1 and pre is None:
            em = None  # "5m" alone may be metres, "$5m" is money
        end = m.end("mag") if mag else m.end("em") if em else m.end("ar")
        u = self.t.unit.match(text, end)
        if (
            not mag and em is None and u is None and pre is None
            and (text[m.end("ar") : m.end("ar") + 1] not in RANGE_FIRST or RE_RANGE.match(text, m.end("ar")) is None)
            and not self._maybe_ratio(start)
        ):
            return None  # fast path: a bare number (year, date, code, count of nothing)
        num = _Num(start, end, Decimal((text[m.start()] + m.group("ar")).replace(",", "")), None,
                   ONE, False, bool(mag or em), True, sign, pre)
        if mag:
            mag = mag.strip()
            num.big = any(c in BIG_MAGNITUDES for c in mag)
            mult = _multiplier(mag)
            if mult is not None:
                num.mult = mult
            else:  # colloquial or mixed (5万3, 3千5百万): the whole is one numeral
                whole = parse_chinese_decimal(text[m.start() : end])
                if whole is None:
                    return None
                num.lo = whole
        elif em is not None:
            factor = EN_MAG[m.group("w").lower()]
            num.mult, num.big = Decimal(factor), factor >= 10**6
        self._read_unit(num, u)
        return num

    def _read_unit(self, num: _Num, um: re.Match[str] | None) -> None:
        if um is None:
            return
        surface = um.group("u")
        if surface == "x" and um.start("u") != num.end:
            return  # "3 x 4" is arithmetic, "3x" a multiple
        unit = _lookup(self.t.post, surface)
        if unit.rule and not self._rule_holds(unit.rule, num, um.end("u")):
            return
        num.unit, num.end = unit, um.end("u")

    def _rule_holds(self, rule: str, num: _Num, unit_end: int) -> bool:
        text = self.text
        value = num.lo * num.mult
        if rule == "count":
            return (num.arabic or value >= 10) and not RE_INDEX_NAME_BEFORE.search(
                text, max(0, num.start - 12), num.start
            )
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
        if first.hi is not None or self.text[first.end : first.end + 1] not in RANGE_FIRST:
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
        if m2 is not None and m2.group("pct") is None:
            second = self._read(m2, second=True)
        elif m2 is None and (w2 := RE_EN_NUMBER.match(self.text, rm.end())) is not None:
            second = self._read_words(w2, second=True)  # "two to three percent", "5 to ten percent"
        else:
            return None
        if second is None or second.hi is not None:
            return None
        if rm.group("pre") and (first.pre is None or _lookup(self.t.pre, rm.group("pre")).unit != first.pre.unit):
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
    def _figure(self, a: _Num, b: _Num | None, carry: tuple[int, str] | None) -> _Raw | None:
        """``(value, unit, kind, start, end, value_max)`` on ``doc.text``, or ``None``."""
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
        elif a.big and carry is not None and RE_SENTENCE_END.search(self.text, carry[0], a.start) is None:
            kind, code, scale = "money", carry[1], Decimal(1)
        elif self._is_ratio(a, b):
            kind, code, scale = "ratio", None, Decimal(1)
        else:
            return None
        sign = -1 if a.negative else 1
        hi = None
        end = a.end
        if b is not None:
            hi, end = float(sign * b.lo * b.mult * scale), b.end
        elif a.hi is not None:
            hi = float(sign * a.hi * a.mult * scale)
        return float(sign * a.lo * a.mult * scale), code, kind, a.start, end, hi

    def _maybe_ratio(self, start: int) -> bool:
        """Cheap pre-check for :meth:`_is_ratio`: the text has a cue and a cue is near."""
        if self._ratio_cue is None:  # substring tests: far cheaper than the pattern over the text
            t = self.text
            self._ratio_cue = "比" in t or "率" in t or "atio" in t or "/E" in t or "rice-to" in t
        return self._ratio_cue and RE_RATIO_CUE.search(self.text, max(0, start - 24), start) is not None

    def _is_ratio(self, a: _Num, b: _Num | None) -> bool:
        if b is not None or a.hi is not None or a.negative or a.mag or not a.arabic or a.pre is not None:
            return False
        text = self.text
        cues = list(RE_RATIO_CUE.finditer(text, self._sentence_start(a.start, 24), a.start))
        if not cues or RE_DIGIT.search(text, cues[-1].end(), a.start):
            return False
        return not RE_DATE_AFTER.match(text, a.end)

    def _yuan_code(self) -> str:
        if self._yuan is None:
            rmb = "人民币" in self.text or "RMB" in self.text
            self._yuan = "TWD" if self.doc.lang == "zh-Hant" and not rmb else "CNY"
        return self._yuan

    def _sentence_start(self, pos: int, window: int) -> int:
        """The later of ``pos - window`` and the start of the sentence holding ``pos``."""
        start = max(pos - window, 0)
        for m in RE_SENTENCE_END.finditer(self.text, start, pos):
            start = m.end()
        return start

    def _to_original(self, raw: list[_Raw]) -> list[Figure]:
        out = []
        original, to_original, field = self.doc.original, self.doc.to_original, self.field
        for value, unit, kind, start, end, value_max in raw:
            s, e = to_original(start, end)
            out.append(Figure(original[s:e], value, unit, kind, s, e, field, value_max))
        out.sort(key=lambda f: f.start)
        return out
