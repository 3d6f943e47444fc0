"""Evidence sentences and intensity from sentence probabilities (any backend)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nlp.classify.base import Prediction
from nlp.records import Evidence, Sentence
from nlp.text.normalize import NormalizedText

MAX_EVIDENCE = 5
SENTENCE_FLOOR = 0.5  # a sentence "carries" a narrative at this calibrated probability


def evidence_and_intensity(
    pred: Prediction,
    sentences: Sequence[Sentence],
    docs: dict[str, NormalizedText],
    labels: Sequence[str],
) -> tuple[dict[str, list[Evidence]], dict[str, float]]:
    """Evidence for each carried label and intensity for every label.

    Intensity is the length-weighted share of the article's sentences that carry the narrative,
    each weighted by its probability: ``sum(len * p * [p >= 0.5]) / sum(len)``, in [0, 1].
    Evidence is up to five carrying sentences, best first; a carried label always gets at least
    its best sentence. Spans index the original text of their field.
    """
    evidence: dict[str, list[Evidence]] = {}
    intensity: dict[str, float] = {}
    if not sentences:
        return {lab: [] for lab in pred.labels}, dict.fromkeys(pred.labels, 0.0)
    lengths = np.array([s.end - s.start for s in sentences], dtype=float)
    total = lengths.sum() or 1.0
    for j, lab in enumerate(pred.labels):
        p = pred.sentence_scores[:, j]
        carry = p >= SENTENCE_FLOOR
        intensity[lab] = float(np.clip((lengths * p * carry).sum() / total, 0.0, 1.0))
        if lab not in labels:
            evidence[lab] = []
            continue
        order = [int(i) for i in np.argsort(-p, kind="stable") if carry[i]][:MAX_EVIDENCE]
        if not order:
            order = [int(np.argmax(p))]
        items = []
        for i in order:
            s = sentences[i]
            doc = docs[s.field]
            a, b = doc.to_original(s.start, s.end)
            items.append(Evidence(doc.original[a:b], a, b, float(p[i]), s.field))
        evidence[lab] = items
    return evidence, intensity
