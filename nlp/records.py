"""Typed records that cross pipeline stages. Field names follow SPEC.md exactly."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Lang = Literal["en", "zh-Hans", "zh-Hant"]
LANGS: tuple[Lang, ...] = ("en", "zh-Hans", "zh-Hant")
Field = Literal["text", "title"]
Narrative = Literal["ai_disruption", "ai_returns_doubt"]
NARRATIVES: tuple[Narrative, ...] = ("ai_disruption", "ai_returns_doubt")
FigureKind = Literal["money", "percent", "index_level", "multiple", "energy", "power", "count", "ratio"]


@dataclass(frozen=True, slots=True)
class Article:
    """One input record (SPEC section 1)."""

    id: str
    text: str
    title: str | None = None
    published: datetime | None = None
    source: str | None = None
    url: str | None = None
    lang: Lang | None = None
    #: Where the record came from, for error reports: the file and its 1-based line (JSONL/CSV).
    path: str | None = None
    line: int | None = None
    #: Labelled corpora only: the narratives a person assigned (JSON list, or ``a|b`` in CSV).
    #: ``None`` when the record has no ``labels`` field; a malformed field is kept as a string
    #: so that training can report it.
    labels: tuple[str, ...] | str | None = None
    #: Labelled corpora only: the raw ``sentence_labels`` field (see
    #: :mod:`nlp.research.sentence_labels`), validated when training reads it; ``None`` when the
    #: record has none.
    sentence_labels: Any = None


@dataclass(frozen=True, slots=True)
class RecordError:
    """A record that could not be scored. Reported, never raised (SPEC section 1)."""

    line: int | None
    reason: str
    id: str | None = None
    path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "id": self.id, "reason": self.reason}

    def __str__(self) -> str:
        where = f"{self.path or '<input>'}:{self.line if self.line is not None else '?'}"
        return f"{where}: {self.reason}" + (f" (id={self.id})" if self.id else "")


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence as a span of the *analysis* text of one field."""

    start: int
    end: int
    field: Field = "text"


@dataclass(frozen=True, slots=True)
class Evidence:
    """A sentence that carries a narrative, as a span of the ORIGINAL field text."""

    sentence: str
    start: int
    end: int
    score: float
    field: Field = "text"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "sentence": self.sentence,
            "start": self.start,
            "end": self.end,
            "score": round(self.score, 4),
        }
        if self.field != "text":
            d["field"] = self.field
        return d


@dataclass(frozen=True, slots=True)
class TickerMention:
    """A listed security named in the article; spans index the original text (or title)."""

    symbol: str
    name: str
    mentions: int
    spans: tuple[tuple[int, int], ...] = ()
    title_spans: tuple[tuple[int, int], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "symbol": self.symbol,
            "name": self.name,
            "mentions": self.mentions,
            "spans": [list(s) for s in self.spans],
        }
        if self.title_spans:
            d["title_spans"] = [list(s) for s in self.title_spans]
        return d


@dataclass(frozen=True, slots=True)
class IndexMention:
    """A market index named in the article."""

    symbol: str
    name: str
    mentions: int
    spans: tuple[tuple[int, int], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "symbol": self.symbol,
            "name": self.name,
            "mentions": self.mentions,
            "spans": [list(s) for s in self.spans],
        }


@dataclass(frozen=True, slots=True)
class Figure:
    """A quantity with a unit, normalised (SPEC section 5)."""

    text: str
    value: float | None
    unit: str | None
    kind: FigureKind
    start: int
    end: int
    field: Field = "text"
    #: For a range figure, the upper bound (``value`` holds the lower bound).
    value_max: float | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "text": self.text,
            "value": _plain_number(self.value),
            "unit": self.unit,
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
        }
        if self.value_max is not None:
            d["value_max"] = _plain_number(self.value_max)
        if self.field != "text":
            d["field"] = self.field
        return d


def _plain_number(v: float | None) -> float | int | None:
    """Integers print as integers (89000000000, not 8.9e10)."""
    if v is None:
        return None
    if float(v).is_integer() and abs(v) < 2**63:
        return int(v)
    return round(float(v), 10)


@dataclass(frozen=True, slots=True)
class ScoredArticle:
    """One output record (SPEC section 2)."""

    id: str
    lang: Lang
    published: datetime | None
    scores: dict[str, float]
    labels: list[str]
    intensity: dict[str, float]
    evidence: dict[str, list[Evidence]]
    tickers: list[TickerMention] = field(default_factory=list)
    indices: list[IndexMention] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    model: str = ""
    source: str | None = None
    title: str | None = None
    url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The SPEC record, JSON-ready, with a stable key order."""
        return {
            "id": self.id,
            "lang": self.lang,
            "published": self.published.isoformat() if self.published else None,
            "source": self.source,
            "title": self.title,
            "url": self.url,
            "scores": {k: round(v, 4) for k, v in self.scores.items()},
            "labels": list(self.labels),
            "intensity": {k: round(v, 4) for k, v in self.intensity.items()},
            "evidence": {k: [e.to_dict() for e in v] for k, v in self.evidence.items()},
            "tickers": [t.to_dict() for t in self.tickers],
            "indices": [i.to_dict() for i in self.indices],
            "figures": [f.to_dict() for f in self.figures],
            "model": self.model,
        }
