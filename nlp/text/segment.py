"""Sentences and words.

Sentences are split with rules over the analysis text: Chinese ends a sentence at 。！？；… and
English at . ! ? before a capital, with an abbreviation list. spaCy's rule-based sentencizer
splits on the same punctuation but costs 2.7 s to import, which the one-article CLI cannot afford.

Words: jieba for Chinese, with a finance user dictionary and a pre-pass that keeps amounts with
magnitude and currency whole (``12.6亿元``, ``1.78万亿美元``); spaCy's tokenizer for English. Both
load on first use.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from nlp.paths import CORPORA
from nlp.records import Field, Sentence

log = logging.getLogger(__name__)

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "inc", "corp", "co", "ltd", "plc", "llc",
    "vs", "etc", "no", "u.s", "u.k", "e.g", "i.e", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "fig", "est", "approx", "dept", "gov", "sen", "rep", "a.m", "p.m",
}
# Chinese terminators (and their ASCII folds), optionally followed by closing quotes/brackets.
RE_ZH_END = re.compile(r"[。！？!?；;…]+[”’」』》）)\"']*")
# English terminators followed by whitespace and something that can start a sentence.
RE_EN_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9$€£¥])")
RE_NEWLINES = re.compile(r"\n+")
MAX_SENTENCE = 400  # characters; longer unpunctuated runs are cut at commas so evidence stays readable
RE_SOFT_BREAK = re.compile(r"[,，、:：]")


def split_sentences(text: str, *, field: Field = "text") -> list[Sentence]:
    """Sentence spans of ``text`` (the analysis text), leading/trailing spaces excluded.

    Examples:
        >>> t = "英伟达下跌。Shares of Oracle fell 3% on Monday. Mr. Smith said so."
        >>> [t[s.start:s.end] for s in split_sentences(t)]
        ['英伟达下跌。', 'Shares of Oracle fell 3% on Monday.', 'Mr. Smith said so.']
    """
    cuts = {0, len(text)}
    for m in RE_NEWLINES.finditer(text):
        cuts.add(m.start())
        cuts.add(m.end())
    for m in RE_ZH_END.finditer(text):
        cuts.add(m.end())
    for m in RE_EN_END.finditer(text):
        word = re.search(r"([A-Za-z.]+)\.*$", text[max(0, m.start() - 12) : m.start() + 1])
        if word and word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
            continue
        if m.start() >= 1 and text[m.start() - 1].isupper() and (m.start() < 2 or not text[m.start() - 2].isalpha()):
            continue  # an initial: "J. Smith"
        cuts.add(m.end())
    bounds = sorted(cuts)
    out: list[Sentence] = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        for s, e in _cut_long(text, a, b):
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if e > s:
                out.append(Sentence(s, e, field))
    return out


def _cut_long(text: str, a: int, b: int) -> list[tuple[int, int]]:
    if b - a <= MAX_SENTENCE:
        return [(a, b)]
    pieces = []
    start = a
    while b - start > MAX_SENTENCE:
        window = text[start : start + MAX_SENTENCE]
        soft = [m.end() for m in RE_SOFT_BREAK.finditer(window) if m.end() > MAX_SENTENCE // 2]
        cut = start + (soft[-1] if soft else MAX_SENTENCE)
        pieces.append((start, cut))
        start = cut
    pieces.append((start, b))
    return pieces


# ------------------------------------------------------------------------------------------------
# Words
# ------------------------------------------------------------------------------------------------

# An amount with a Chinese magnitude and optional currency/unit: kept as one token.
RE_ZH_AMOUNT = re.compile(
    r"[0-9]+(?:[.,][0-9]+)*\s?(?:万亿|亿|万|千|百)?(?:美元|美金|元|人民币|港元|港币|日元|欧元|韩元|新台币|亿元|股|人|点|倍|%)"
    r"|[0-9]+(?:\.[0-9]+)?(?:万亿|亿|万)"
)
@lru_cache(maxsize=1)
def _jieba():
    """A jieba tokenizer whose user dictionary is our finance vocabulary.

    The words come from the narrative lexicon and the Chinese company names of the security
    master, so the two stay the single source of finance terms.
    """
    import jieba  # the dictionary loads on first cut (about 1 s): never at import time

    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    for word in finance_words():
        tk.add_word(word, freq=2000)
    return tk


def finance_words() -> list[str]:
    """Chinese finance terms (Simplified) for the segmenter's user dictionary."""
    from nlp.files import read_table
    from nlp.text.lexicon import LEXICON_FILE, read_lexicon
    from nlp.text.script import RE_HAN, to_simplified

    words = {to_simplified(t.term) for t in read_lexicon(LEXICON_FILE) if t.lang != "en"}
    for path in sorted((CORPORA / "entities").glob("securities*.tsv")):
        for row in read_table(path):
            for col in ("name_zh_hans", "name_zh_hant", "aliases_zh"):
                words.update(to_simplified(w) for w in (row.get(col) or "").split("|"))
    return sorted(w for w in words if len(w) >= 2 and RE_HAN.search(w) and " " not in w)


@lru_cache(maxsize=1)
def _spacy_tokenizer():
    try:
        import spacy
    except ImportError:  # pragma: no cover - spaCy is a core dependency
        from nlp.errors import MissingDependencyError

        raise MissingDependencyError("pip install spacy") from None
    return spacy.blank("en").tokenizer


def words(text: str, *, lang: str) -> list[tuple[str, int, int]]:
    """Word tokens of the analysis text as ``(token, start, end)``; whitespace is dropped.

    Examples:
        >>> [w for w, _, _ in words("市值蒸发12.6亿元", lang="zh-Hans")][-1]
        '12.6亿元'
    """
    if lang == "en":
        return [(t.text, t.idx, t.idx + len(t.text)) for t in _spacy_tokenizer()(text) if not t.is_space]
    out: list[tuple[str, int, int]] = []
    pos = 0
    for m in RE_ZH_AMOUNT.finditer(text):
        out.extend(_jieba_span(text, pos, m.start()))
        out.append((m.group(), m.start(), m.end()))
        pos = m.end()
    out.extend(_jieba_span(text, pos, len(text)))
    return out


def _jieba_span(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    if start >= end:
        return []
    return [
        (w, start + s, start + e)
        for w, s, e in _jieba().tokenize(text[start:end], HMM=True)
        if not w.isspace()
    ]
