"""``keywords.v1``: the term-set baseline of news-based indices.

An article carries a narrative when it holds an AI term and a term of that narrative's set (the
method of keyword-count uncertainty indices), in all three scripts through the shared lexicon.
Scores are 0 or 1; nothing is learned. Every evaluation report shows it beside the real models.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from nlp.classify.base import Doc, Prediction
from nlp.text.lexicon import default_matcher

REGISTRY_NAME = "keywords.v1"


class KeywordModel:
    """AI term AND narrative term, anywhere in the article."""

    registry_name = REGISTRY_NAME

    def __init__(self, *, labels: tuple[str, ...] = ("ai_disruption", "ai_returns_doubt")) -> None:
        self.labels = labels
        self.labels_ = tuple(labels)
        self.thresholds_ = dict.fromkeys(labels, 0.5)

    def fit(self, docs: list[Doc], y: np.ndarray) -> KeywordModel:
        """Nothing to learn; returns ``self`` for the estimator contract."""
        return self

    def predict(self, docs: list[Doc]) -> list[Prediction]:
        matcher = default_matcher()
        out = []
        for doc in docs:
            per_sentence = [{h.narrative for h in matcher.find(s)} for s in doc.sentences]
            has_ai = any("ai" in k for k in per_sentence)
            sent = np.array([[float(has_ai and lab in k) for lab in self.labels_] for k in per_sentence]).reshape(-1, len(self.labels_))
            scores = {lab: float(sent[:, j].max()) if len(sent) else 0.0 for j, lab in enumerate(self.labels_)}
            out.append(Prediction(scores, sent, self.labels_))
        return out

    def save(self, path: Path) -> None:
        Path(path).mkdir(parents=True, exist_ok=True)
        (Path(path) / "keywords.json").write_text(json.dumps({"labels": list(self.labels_)}), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> KeywordModel:
        p = Path(path) / "keywords.json"
        labels = json.loads(p.read_text(encoding="utf-8"))["labels"] if p.exists() else ("ai_disruption", "ai_returns_doubt")
        return cls(labels=tuple(labels))
