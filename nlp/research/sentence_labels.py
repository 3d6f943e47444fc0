"""Sentence-level labels of a labelled corpus: which sentences carry which narrative.

A labelled record may hold, beside its article ``labels``, a ``sentence_labels`` list (a JSON
list, or the same list as a JSON string in a CSV cell). Each item marks one span of the ORIGINAL
text, with the same offset convention as the ``evidence`` of a scored record (SPEC section 2)::

    {"start": 120, "end": 168, "labels": ["ai_disruption"]}
    {"field": "title", "start": 0, "end": 52, "labels": ["ai_returns_doubt"]}
    {"sentence": "Software stocks fell as ...", "labels": ["ai_disruption"]}

The third form names the sentence by its text (its first occurrence in ``text``, else in
``title``), which is easier to write by hand. A record that has the field is taken as fully
annotated: a sentence that overlaps no marked span carries no narrative (an empty list says that
of every sentence). Spans need not match our sentence splitter: an analysis sentence takes the
labels of every span it overlaps.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nlp.records import Evidence, Field


@dataclass(frozen=True, slots=True)
class SentenceSpan:
    """A span of an original field that a person marked with narratives."""

    start: int
    end: int
    labels: frozenset[str]
    field: Field = "text"


def parse_sentence_labels(raw: Any, *, text: str, title: str | None, labels: Sequence[str]) -> tuple[SentenceSpan, ...]:
    """Validated spans of a record's ``sentence_labels`` field.

    Raises:
        ValueError: with a reason fit for an error report (which item, what is wrong).
    """
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"`sentence_labels` is not JSON: {exc.msg}") from None
    if not isinstance(raw, list):
        raise ValueError(f"`sentence_labels` must be a list, got {type(raw).__name__}")
    fields: dict[str, str | None] = {"text": text, "title": title}
    spans = []
    for k, item in enumerate(raw):
        where = f"`sentence_labels` item {k}"
        if not isinstance(item, dict):
            raise ValueError(f"{where} must be an object, got {type(item).__name__}")
        names = item.get("labels")
        if not isinstance(names, list) or any(n not in labels for n in names):
            raise ValueError(f"{where}: `labels` must be a list drawn from {list(labels)}")
        field = item.get("field", "text")
        if field not in fields or fields[field] is None:
            raise ValueError(f"{where}: `field` must be 'text' or 'title' (and the record must have it), got {field!r}")
        if "sentence" in item:
            field, start, end = _locate(item["sentence"], fields, where)
        else:
            start, end = item.get("start"), item.get("end")
            size = len(fields[field] or "")
            if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= size):
                raise ValueError(f"{where}: needs integer `start` < `end` within the {field} ({size} characters), or a `sentence`")
        spans.append(SentenceSpan(start, end, frozenset(names), field))
    return tuple(spans)


def _locate(sentence: Any, fields: dict[str, str | None], where: str) -> tuple[Field, int, int]:
    if not isinstance(sentence, str) or not sentence.strip():
        raise ValueError(f"{where}: `sentence` must be a non-empty string")
    needle = sentence.strip()
    for field in ("text", "title"):
        hay = fields[field]
        if hay is not None and (i := hay.find(needle)) >= 0:
            return field, i, i + len(needle)  # type: ignore[return-value]
    raise ValueError(f"{where}: `sentence` does not occur in the text or title")


def sentence_matrix(original_spans: Sequence[tuple[Field, int, int]], spans: Sequence[SentenceSpan], labels: Sequence[str]) -> np.ndarray:
    """0/1 labels (n_sentences, n_labels) of analysis sentences given as original spans."""
    y = np.zeros((len(original_spans), len(labels)), dtype=np.int8)
    for i, (field, start, end) in enumerate(original_spans):
        for span in spans:
            if span.field == field and start < span.end and span.start < end:
                for j, lab in enumerate(labels):
                    if lab in span.labels:
                        y[i, j] = 1
    return y


def evidence_agreement(evidence: Sequence[Evidence], spans: Sequence[SentenceSpan], label: str) -> tuple[int, int, int, int]:
    """How a model's evidence for ``label`` meets the marked spans of ``label``.

    Returns ``(evidence items that overlap a marked span, evidence items, marked spans that some
    evidence item overlaps, marked spans)``: the counts behind evidence precision and recall.
    """
    marked = [s for s in spans if label in s.labels]

    def hit(e: Evidence, s: SentenceSpan) -> bool:
        return e.field == s.field and e.start < s.end and s.start < e.end

    good = sum(1 for e in evidence if any(hit(e, s) for s in marked))
    found = sum(1 for s in marked if any(hit(e, s) for e in evidence))
    return good, len(evidence), found, len(marked)
