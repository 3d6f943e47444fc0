"""Tickers and market indices named in an article (SPEC section 4).

Three kinds of evidence are collected over ``doc.text`` (Simplified, width-folded), then one
leftmost-longest pass keeps the non-overlapping candidates:

* **names** in any script, from one Aho-Corasick automaton over every name and alias of the
  security master (:mod:`nlp.extract._security_master`); "美超微" beats "超微" because it starts
  first, "标普全球" beats "标普" because it is longer. English names need word boundaries and keep
  their case ("Apple" is a company, "apple" is not); a lower-cased name counts only inside Chinese
  prose, where writers often type brand names in lower case ("比方说meta最近").
* **codes**: cashtags ($NVDA), exchange prefixes (NYSE: ORCL), Yahoo, Reuters and Bloomberg forms
  (0700.HK, 600519.SH, NVDA.O, 9984 JP, 2330-TW) and a stock code in brackets after a name
  (台积电(2330)). A code names one listing: "TSM" stays TSM while "台积电" is 2330.TW.
* **bare symbols** (MU, SNDK): only with stock context. A symbol that is also a word or an
  acronym (AI, ALL, ON, IT, ETF, CEO…, see ``nlp/extract/data/ticker_rules.tsv``) is never taken
  bare.

Weak names (everyday words and people's names: "Williams", 大众, 美国电力) and bare symbols count
when the text around them is about stocks (shares, 股价, a bracketed symbol, a list with another
ticker) or when the same security is named plainly elsewhere in the article or its title.
A company name followed by an index word ("MSCI 韩国指数") is an index reference, not the company.

Why not a statistical NER model: the output must be exchange symbols, which an entity tagger does
not give, and the master with curated context rules is auditable and 100x faster.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from nlp.extract._security_master import (
    EXCHANGE,
    LATIN_END,
    LATIN_START,
    LOWER,
    RULES_PATH,
    WEAK,
    Master,
    load_master,
    to_automaton,
)
from nlp.records import IndexMention, TickerMention
from nlp.text.normalize import NormalizedText

_NAME, _CODE, _BARE = 0, 1, 2  # candidate kinds, in order of preference at equal spans

# Patterns start with a character class, not a lookbehind, so that the regex engine can skip
# ahead; the character before a match is checked in Python (_free_before).
RE_CASHTAG = re.compile(r"\$([A-Z]{1,5}(?:[.\-][A-Z])?)(?![A-Za-z0-9])")
RE_PREFIX = re.compile(r"([A-Z][A-Za-z]{1,7}(?: American| Arca)?)\s?:\s?([A-Z0-9]{1,10}(?:[.\-][A-Z])?)(?![A-Za-z0-9])")
_US_PREFIXES = frozenset({"NASDAQ", "Nasdaq", "NasdaqGS", "NasdaqGM", "NYSE", "NYSE American", "NYSE Arca",
                          "NYSEArca", "AMEX", "BATS", "Cboe", "OTC", "OTCMKTS"})
_PREFIX_SUFFIX = {"HKEX": "HK", "SEHK": "HK", "HKG": "HK", "TWSE": "TW", "TPE": "TW", "TYO": "T",
                  "TSE": "T", "KRX": "KS", "KOSDAQ": "KQ", "SHA": "SS", "SSE": "SS", "SHE": "SZ",
                  "SZSE": "SZ", "LON": "L", "LSE": "L", "TSX": "TO", "ETR": "DE", "FRA": "DE",
                  "EPA": "PA", "AMS": "AS", "SWX": "SW", "NSE": "NS"}
RE_NUMERIC_SUFFIX = re.compile(r"(\d{4,6})[.\-](HK|SH|SS|SZ|TWO|TW|T|KS|KQ)(?![A-Za-z0-9])")
RE_ALPHA_SUFFIX = re.compile(r"([A-Z0-9]{1,12}(?:-[A-Z])?)\.([A-Z]{1,2})(?![A-Za-z0-9.])")
RE_BLOOMBERG = re.compile(r"(\d{3,6}) (JP|JT|TT|HK|KS|KQ|CH|C1|C2)(?: Equity)?(?![A-Za-z0-9])(?! [A-Z][a-z])")
# A Taiwan ETF code written alone (0050, 00878): codes that start with "00" are not amounts.
RE_TW_ETF_CODE = re.compile(r"(00\d{2,4}[A-Z]?)(?![\d%]|[.,]\d|\.[A-Za-z]|[A-Za-z])")
RE_BRACKET_CODE = re.compile(r"\(\s?(\d{4,6})\s?\)")
RE_BARE = re.compile(r"[A-Z][A-Z0-9]{1,5}(?:-[A-Z])?(?![A-Za-z0-9&]|\.[A-Za-z0-9])")
_RIC = frozenset({"O", "OQ", "N", "K", "A", "P"})
_BLOOMBERG = {"JP": "T", "JT": "T", "TT": "TW", "HK": "HK", "KS": "KS", "KQ": "KQ"}

# Context that makes a name or a bare symbol a stock reference.
RE_STOCK_AFTER = re.compile(
    r"\s?(?:'s\s)?(?:shares?\b|stocks?\b|Inc\b|Corp\b|Corporation\b|Co\b|plc\b|Ltd\b|Group\b|Holdings\b|"
    r"ADRs?\b|earnings\b|"
    r"股价|股票|股份|股(?!息)|公司|集团|市值|财报|业绩|旗下|的股价|的股票|的市值|的财报)"
)
RE_STOCK_BEFORE = re.compile(r"(?<![A-Za-z])(?:[Ss]hares of|[Ss]hares in|[Ss]take in|[Ss]tock of|[Bb]uy|[Ss]ell|[Ss]hort|买入|卖出|持有|增持|减持|做空|做多|看好)\s?$")
RE_INDEX_AFTER = re.compile(r"\s?(?:指数|股指|Index\b|index\b|indices\b|Indices\b)")
RE_PROVIDER_INDEX = re.compile(
    r"\s?(?:[\u4e00-\u9fff]{1,8}|(?:[A-Z][A-Za-z\-]*\s){0,4}|[A-Z][A-Za-z\-]*(?:\s[A-Z][A-Za-z\-]*){0,3}\s)"
    r"(?:指数|股指|Index\b|index\b|indices\b|Indices\b|成分股)"
)
RE_INDEX_CONTEXT = re.compile(
    r"\s?(?:指数|指|点|index|Index|points?|\d)|.{0,8}?(?:涨|跌|收|rose|fell|gain|drop|climb|slid|futures|期货)", re.S
)
RE_EXCHANGE_AFTER = re.compile(r"\s?(?:[:：]|-?listed|上市|交易所|挂牌|上交易|Exchange|exchange|\s?stock market)")
RE_EXCHANGE_BEFORE = re.compile(r"(?:\bon(?: the)?|listed on|登陆|登陆了)\s?$")
# Share buttons and follow links name a platform, not a security ("Share to Facebook").
RE_SHARE_BEFORE = re.compile(r"(?:[Ss]hare (?:to|on|via)|[Ff]ollow us on|[Ll]ike us on|分享到|分享至|关注我们的)\s?$")
RE_LIST_GAP = re.compile(r"\s?(?:、|,|/|&|和|与|及|以及|或|and|or)\s?")
RE_STOCK_WORDS = re.compile(
    r"股|制造商|厂商|公司|市值|财报|shares|stocks?\b|equities|tickers?|makers?\b|companies|company|names\b|earnings"
)
RE_SENTENCE_END = re.compile(r"[。!?;；\n]|\.\s")
RE_HAN_CHAR = re.compile(r"[\u3400-\u9fff]")
# Han characters that may sit right before or after a name without being part of one word with
# it (particles, conjunctions, verbs of price moves): "在陆家嘴" is not enough to say that
# "陆家嘴论坛" holds a company; a weak name glued to any other Han character is inside a word.
_FREE_LEFT = frozenset("的和与及或在从对将把被向为是称据等如像让给跟同由于至到而且即买卖持看、，。：；（）“”《》")
_FREE_RIGHT = frozenset("的和与及或在将已是称等也则涨跌升降收报盘股市公集旗今昨近本周月年日于被为向对再亦均仍都、，。：；（）“”《》")


@dataclass(slots=True)
class _Hit:
    start: int
    end: int
    symbol: str
    is_index: bool
    flags: int
    kind: int
    ok: bool = True  # False until a weak name or a bare symbol is confirmed


class TickerExtractor:
    """Finds listed securities and market indices in a normalised article.

    Examples:
        >>> from nlp.text.normalize import normalize
        >>> tickers, indices = TickerExtractor.default()(normalize("英伟达股价跑赢标普 500 指数。"))
        >>> [t.symbol for t in tickers], [i.symbol for i in indices]
        (['NVDA'], ['^GSPC'])
    """

    def __init__(self, master: Master, *, from_cache: bool = False) -> None:
        self.master = master
        #: True when the compiled master came from the disk cache.
        self.from_cache = from_cache

    @classmethod
    def default(cls) -> TickerExtractor:
        """The extractor over ``corpora/entities``, built once per process and cached on disk."""
        return _default()

    @classmethod
    def build(cls, entities_dir: Path | None = None, *, rules_path: Path = RULES_PATH,
              cache_dir: Path | None = None, use_cache: bool = True) -> TickerExtractor:
        """An extractor over another master folder (tests, benchmarks)."""
        master, from_cache = load_master(entities_dir, rules_path=rules_path, cache_dir=cache_dir, use_cache=use_cache)
        return cls(master, from_cache=from_cache)

    def __call__(self, text: NormalizedText, title: NormalizedText | None = None
                 ) -> tuple[list[TickerMention], list[IndexMention]]:
        """Tickers and indices of one article; spans index ``text.original`` (``title.original``)."""
        body = self._scan(text.text)
        head = self._scan(title.text) if title is not None else []
        plain = {self._primary(h.symbol) for h in body + head if h.ok and not h.is_index and h.kind != _BARE}
        plain_idx = {h.symbol for h in body + head if h.ok and h.is_index}
        for hits, s in ((body, text.text), (head, title.text if title is not None else "")):
            self._confirm(hits, s, plain, plain_idx)
        tick: dict[str, tuple[list[tuple[int, int]], list[tuple[int, int]]]] = {}
        idx: dict[str, list[tuple[int, int] | None]] = {}
        for hits, doc, slot in ((body, text, 0), (head, title, 1)):
            for h in hits:
                if not h.ok or doc is None:
                    continue
                span = doc.to_original(h.start, h.end)
                if h.is_index:
                    idx.setdefault(h.symbol, []).append(span if slot == 0 else None)
                else:
                    tick.setdefault(h.symbol, ([], []))[slot].append(span)
        secs = self.master.securities
        tickers = [
            TickerMention(sym, secs[sym].name if sym in secs else sym, len(a) + len(b), tuple(a), tuple(b))
            for sym, (a, b) in tick.items()
        ]
        indices = [
            IndexMention(sym, self.master.index_names.get(sym, sym), len(sp), tuple(s for s in sp if s is not None))
            for sym, sp in idx.items()
        ]
        tickers.sort(key=lambda t: (-t.mentions, t.symbol))
        indices.sort(key=lambda i: (-i.mentions, i.symbol))
        return tickers, indices

    # -- scanning ------------------------------------------------------------------------------

    def _primary(self, symbol: str) -> str:
        sec = self.master.securities.get(symbol)
        return sec.primary if sec else symbol

    def _scan(self, s: str) -> list[_Hit]:
        """Every candidate in ``s``, reduced to a leftmost-longest non-overlapping set."""
        if not s:
            return []
        cands = self._names(s) + self._codes(s)
        secs = self.master.securities
        black = self.master.blacklist
        for m in RE_BARE.finditer(s):
            sym = m.group()
            if sym in secs and sym not in black and _free_before(s, m.start(), extra="$.&-'"):
                cands.append(_Hit(m.start(), m.end(), sym, False, WEAK, _BARE, ok=False))
        # Plain names and codes first; weak names and bare symbols only fill the gaps, so that a
        # weak "中微" cannot hide the "微软" of "其中微软".
        strong = _leftmost_longest([h for h in cands if h.ok or h.kind == _CODE])
        taken = [(h.start, h.end) for h in strong]
        rest = [h for h in _leftmost_longest([h for h in cands if not (h.ok or h.kind == _CODE)])
                if not any(a < h.end and h.start < b for a, b in taken)]
        return sorted(strong + rest, key=lambda h: h.start)

    def _names(self, s: str) -> list[_Hit]:
        out = []
        found = list(self.master.automaton.iter(to_automaton(s)))
        if not found:
            return out
        pos = _byte_to_char(s, found)
        for end, (n, entries) in found:
            start, end = pos[end + 1 - n], pos[end + 1]
            for sym, is_index, flags in entries:
                if flags & LATIN_START and start > 0 and _is_alnum(s[start - 1]):
                    continue
                if flags & LATIN_END and end < len(s) and _is_alnum(s[end]):
                    continue
                if flags & LOWER and not _in_chinese(s, start, end):
                    continue
                out.append(_Hit(start, end, sym, is_index, flags, _NAME, ok=not flags & (WEAK | EXCHANGE)))
        return out

    def _codes(self, s: str) -> list[_Hit]:
        secs = self.master.securities
        out: list[_Hit] = []

        def add(m: re.Match[str], sym: str, *, known: bool = False, start: int | None = None) -> None:
            if (not known or sym in secs) and _free_before(s, m.start() if start is None else start):
                out.append(_Hit(m.start(), m.end(), sym, False, 0, _CODE))

        if "$" in s:
            for m in RE_CASHTAG.finditer(s):
                add(m, m.group(1).replace(".", "-"), known=True, start=0)
        if ":" in s:
            for m in RE_PREFIX.finditer(s):
                prefix, code = m.groups()
                if prefix in _US_PREFIXES and not code[:1].isdigit():
                    add(m, code.replace(".", "-"))
                elif prefix in _PREFIX_SUFFIX:
                    suffix = _PREFIX_SUFFIX[prefix]
                    add(m, _numeric_symbol(code, suffix) if code.isdigit() else f"{code}.{suffix}", known=not code.isdigit())
        for m in RE_NUMERIC_SUFFIX.finditer(s):
            add(m, _numeric_symbol(m.group(1), m.group(2)))
        for m in RE_ALPHA_SUFFIX.finditer(s):
            code, suffix = m.groups()
            sym = f"{code}.{suffix}"
            if sym not in secs:
                sym = code if suffix in _RIC else f"{code}-{suffix}"  # NVDA.O (Reuters), BRK.B
            add(m, sym, known=True)
        for m in RE_BLOOMBERG.finditer(s):
            code, ex = m.groups()
            suffix = _BLOOMBERG.get(ex) or ("SS" if code.startswith("6") else "SZ")  # CH: 6xxxxx is Shanghai
            add(m, _numeric_symbol(code, suffix), known=True)
        if "00" in s:
            for m in RE_TW_ETF_CODE.finditer(s):
                if m.start() and (s[m.start() - 1].isdigit() or s[m.start() - 1] in ".,$"):
                    continue
                for sym in (f"{m.group(1)}.TW", f"{m.group(1)}.TWO"):
                    if sym in secs and secs[sym].kind == "etf":
                        add(m, sym)
                        break
        if "(" in s:
            for m in RE_BRACKET_CODE.finditer(s):
                out.append(_Hit(m.start(), m.end(), m.group(1), False, 0, _CODE, ok=False))  # resolved later
        return out

    # -- resolution ----------------------------------------------------------------------------

    def _confirm(self, hits: list[_Hit], s: str, plain: set[str], plain_idx: set[str]) -> None:
        """Resolve bracketed codes, listings and weak hits of one field, in place."""
        prev: _Hit | None = None
        for h in hits:
            if h.kind == _CODE and not h.ok and h.symbol.isdigit():
                self._bracket(h, prev, s)
            if prev is not None and not prev.is_index and not h.is_index and h.start - prev.end <= 2 \
                    and h.kind != _NAME and prev.kind == _NAME and h.symbol in self.master.securities:
                p, q = self._primary(prev.symbol), self._primary(h.symbol)
                if p == q:  # "Nvidia (NVDA)", "台积电(TSM)": one mention, of the listing named
                    h.ok = True
                    prev.symbol, prev.ok, h.symbol = h.symbol, True, ""
            prev = h
        hits[:] = [h for h in hits if h.symbol]
        providers = self.master.providers
        for h in hits:
            if h.is_index:
                if h.flags & EXCHANGE:
                    h.ok = not (RE_EXCHANGE_AFTER.match(s, h.end) or RE_EXCHANGE_BEFORE.search(s[max(0, h.start - 12):h.start]))
                elif h.flags & WEAK:
                    h.ok = h.symbol in plain_idx or bool(RE_INDEX_CONTEXT.match(s, h.end))
                continue
            if h.kind == _NAME and RE_SHARE_BEFORE.search(s, max(0, h.start - 18), h.start):
                h.symbol = ""
                continue
            if h.kind == _NAME and (RE_INDEX_AFTER.match(s, h.end) or (
                    self._primary(h.symbol) in providers and RE_PROVIDER_INDEX.match(s, h.end))):
                h.symbol = ""  # "MSCI 韩国指数": the index, not the company
                continue
            if h.ok:
                continue
            if h.kind == _NAME and _glued(s, h.start, h.end):
                h.symbol = ""  # "斗山机器人", "陆家嘴论坛": a weak name inside a longer word
                continue
            if h.kind == _NAME:
                h.ok = self._primary(h.symbol) in plain or self._stock_context(s, h)
            elif h.kind == _BARE:
                h.ok = self._bare_ok(s, h, plain)
        hits[:] = [h for h in hits if h.symbol]
        self._lists(hits, s)

    def _bracket(self, h: _Hit, prev: _Hit | None, s: str) -> None:
        """台积电(2330), 贵州茅台(600519): the code of the name before it, or a unique code."""
        code = h.symbol.lstrip("0") or "0"
        options = self.master.numeric.get(code, ())
        if prev is not None and not prev.is_index and h.start - prev.end <= 1:
            own = [o for o in options if self._primary(o) == self._primary(prev.symbol)]
            if own:
                h.symbol, h.ok = own[0], True
                return
        for o in options:  # 統一(1216): an everyday-word name is read only before its own code
            for name in self.master.code_names.get(o, ()):
                if s.endswith(name, 0, h.start):
                    h.symbol, h.ok, h.start = o, True, h.start - len(name)
                    return
        h.symbol = ""  # a bracketed number alone may be a year or a page: not a ticker

    def _stock_context(self, s: str, h: _Hit) -> bool:
        return bool(RE_STOCK_AFTER.match(s, h.end) or RE_STOCK_BEFORE.search(s[max(0, h.start - 14):h.start]))

    def _bare_ok(self, s: str, h: _Hit, plain: set[str]) -> bool:
        if _caps_line(s, h.start):
            return False
        sec = self.master.securities.get(h.symbol)
        if sec is not None and sec.kind == "etf" and len(h.symbol) >= 3:
            return True  # QQQ, SPY, SOXX: fund symbols are not words (blacklisted ones aside)
        if h.start > 0 and s[h.start - 1] == "(" and s.startswith(")", h.end):
            return True
        return self._stock_context(s, h)

    def _lists(self, hits: list[_Hit], s: str) -> None:
        """"SNDK、MU", "Apple, Nvidia and MU": a list of stocks shares their confirmation."""
        groups: list[list[_Hit]] = []
        for h in hits:
            if h.is_index:
                continue
            if groups and RE_LIST_GAP.fullmatch(s, groups[-1][-1].end, h.start) and h.start > groups[-1][-1].end:
                groups[-1].append(h)
            else:
                groups.append([h])
        for g in groups:
            if len(g) < 2 or all(h.ok for h in g):
                continue
            pending = [h for h in g if not h.ok and not (h.kind == _BARE and _caps_line(s, h.start))]
            if any(h.ok for h in g) or (len(pending) >= 2 and RE_STOCK_WORDS.search(_sentence(s, g[0].start, g[-1].end))):
                for h in pending:
                    h.ok = True


def _leftmost_longest(cands: list[_Hit]) -> list[_Hit]:
    cands.sort(key=lambda h: (h.start, h.start - h.end, h.kind))
    kept: list[_Hit] = []
    last = 0
    for h in cands:
        if h.start >= last:
            kept.append(h)
            last = h.end
    return kept


def _byte_to_char(s: str, found: list[tuple[int, tuple[int, object]]]) -> dict[int, int]:
    """Character offsets of the UTF-8 byte offsets where automaton matches start and end."""
    offsets = sorted({o for end, (n, _) in found for o in (end + 1 - n, end + 1)})
    if s.isascii():
        return {o: o for o in offsets}
    data = s.encode("utf-8")
    out, last_b, last_c = {}, 0, 0
    for o in offsets:
        last_c += len(data[last_b:o].decode("utf-8"))
        last_b = o
        out[o] = last_c
    return out


def _free_before(s: str, pos: int, *, extra: str = ".") -> bool:
    """No letter, digit or joining character right before ``pos``: a token starts there."""
    return pos == 0 or not (_is_alnum(s[pos - 1]) or s[pos - 1] in extra)


def _is_alnum(c: str) -> bool:
    return c.isascii() and c.isalnum()


def _in_chinese(s: str, start: int, end: int) -> bool:
    """A Han character next to the span (one space allowed): the span sits in Chinese prose."""
    left = s[max(0, start - 2):start].rstrip(" ")[-1:]
    right = s[end:end + 2].lstrip(" ")[:1]
    return bool(RE_HAN_CHAR.match(left) or RE_HAN_CHAR.match(right))


def _glued(s: str, start: int, end: int) -> bool:
    """A Han span touches a Han character that is not a particle or a price verb."""
    if not RE_HAN_CHAR.match(s[start]):
        return False
    left = s[start - 1] if start > 0 else ""
    right = s[end] if end < len(s) else ""
    return bool(left and RE_HAN_CHAR.match(left) and left not in _FREE_LEFT) or \
        bool(right and RE_HAN_CHAR.match(right) and right not in _FREE_RIGHT and not RE_STOCK_AFTER.match(s, end))


def _caps_line(s: str, pos: int) -> bool:
    """The line around ``pos`` is set in capitals (a shouted headline): bare words prove nothing."""
    a = s.rfind("\n", 0, pos) + 1
    b = s.find("\n", pos)
    line = s[a:b if b >= 0 else len(s)]
    if RE_HAN_CHAR.search(line):  # Chinese prose quoting acronyms is not a shouted headline
        return False
    letters = sum(c.isascii() and c.isalpha() for c in line)
    return letters >= 12 and sum(c.isascii() and c.isupper() for c in line) > 0.8 * letters


def _sentence(s: str, start: int, end: int) -> str:
    a = max(0, start - 80)
    left = s[a:start]
    cut = [m.end() for m in RE_SENTENCE_END.finditer(left)]
    a += cut[-1] if cut else 0
    m = RE_SENTENCE_END.search(s, end, end + 80)
    return s[a:m.start() if m else min(len(s), end + 80)]


def _numeric_symbol(code: str, suffix: str) -> str:
    """Yahoo form of an exchange code: 00700 HK -> 0700.HK, 600519 SH -> 600519.SS."""
    suffix = {"SH": "SS"}.get(suffix, suffix)
    if suffix == "HK":
        return f"{int(code):04d}.HK"
    if suffix in ("SS", "SZ", "KS", "KQ"):
        return f"{int(code):06d}.{suffix}"
    return f"{code}.{suffix}"


@cache
def _default() -> TickerExtractor:
    return TickerExtractor.build()


__all__ = ["TickerExtractor"]
