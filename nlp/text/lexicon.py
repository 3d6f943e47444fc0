"""The bilingual narrative lexicon (``corpora/lexicon/narratives.tsv``) and its matcher.

Concepts group terms in English, Simplified and Traditional Chinese. Terms are matched with one
Aho-Corasick automaton over the lower-cased Simplified analysis text, so a Traditional term and
its Simplified form hit the same concept.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nlp.files import read_table
from nlp.paths import LEXICON
from nlp.text.script import to_simplified

LEXICON_FILE = LEXICON / "narratives.tsv"


@dataclass(frozen=True, slots=True)
class Term:
    """One lexicon row."""

    concept: str
    narrative: str  # ai_disruption | ai_returns_doubt | ai
    weight: float
    lang: str
    term: str


@dataclass(frozen=True, slots=True)
class Hit:
    """A lexicon term found in the analysis text."""

    start: int
    end: int
    concept: str
    narrative: str
    weight: float


def read_lexicon(path: Path = LEXICON_FILE) -> list[Term]:
    """Rows of a lexicon TSV (``# `` comment lines, then a header)."""
    rows = []
    for row in read_table(path):
        term = (row.get("term") or "").strip()
        if term:
            rows.append(Term(row["concept"].strip(), row["narrative"].strip(), float(row.get("weight") or 1.0), row["lang"].strip(), term))
    return rows


def _is_word_char(c: str) -> bool:
    return c.isascii() and (c.isalnum() or c == "_")


class LexiconMatcher:
    """Finds lexicon terms in analysis text (Simplified, ASCII-folded)."""

    def __init__(self, terms: list[Term]) -> None:
        import ahocorasick  # C extension, fast to import; kept local with the other matchers

        self.terms = terms
        self._auto = ahocorasick.Automaton()
        keys: dict[str, list[tuple[str, str, float, bool]]] = {}
        for t in terms:
            key = to_simplified(t.term).lower()
            ascii_edges = _is_word_char(key[0]), _is_word_char(key[-1])
            keys.setdefault(key, []).append((t.concept, t.narrative, t.weight, any(ascii_edges)))
        for key, vals in keys.items():
            # One concept per (key, concept): duplicates across scripts collapse here.
            uniq = list({(c, n): (c, n, w, b) for c, n, w, b in vals}.values())
            self._auto.add_word(key, (len(key), uniq))
        self._auto.make_automaton()
        self.concepts = sorted({t.concept for t in terms})

    def find(self, text: str) -> list[Hit]:
        """All hits, longest match first at each end position; English terms need word edges."""
        lowered = text.lower()
        hits: list[Hit] = []
        for end_idx, (n, vals) in self._auto.iter(lowered):
            start = end_idx - n + 1
            end = end_idx + 1
            for concept, narrative, weight, needs_edges in vals:
                if needs_edges and (
                    (start > 0 and _is_word_char(lowered[start - 1]) and _is_word_char(lowered[start]))
                    or (end < len(lowered) and _is_word_char(lowered[end]) and _is_word_char(lowered[end - 1]))
                ):
                    continue
                hits.append(Hit(start, end, concept, narrative, weight))
        return _drop_nested(hits)


def _drop_nested(hits: list[Hit]) -> list[Hit]:
    """Keep a hit unless a longer hit of the same narrative covers it."""
    if len(hits) < 2:
        return hits
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    out: list[Hit] = []
    for h in hits:
        if any(o.narrative == h.narrative and o.start <= h.start and h.end <= o.end and (o.end - o.start) > (h.end - h.start) for o in out[-6:]):
            continue
        out.append(h)
    return out


@lru_cache(maxsize=4)
def default_matcher(path: str = str(LEXICON_FILE)) -> LexiconMatcher:
    """The matcher over the shipped lexicon, built once per process."""
    return LexiconMatcher(read_lexicon(Path(path)))
