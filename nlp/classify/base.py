"""What every classifier backend reads and returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from nlp.records import Lang


@dataclass(frozen=True, slots=True)
class Doc:
    """The analysis view of one article: its sentences in Simplified script, title first.

    ``sentence_y`` holds, for a labelled article annotated sentence by sentence, the 0/1 labels of
    each sentence (rows in ``sentences`` order, columns in the model's label order); backends that
    can learn from sentences use it, the others ignore it.
    """

    sentences: tuple[str, ...]
    lang: Lang
    n_title: int = 0
    sentence_y: tuple[tuple[int, ...], ...] | None = None


@dataclass(frozen=True, slots=True)
class Prediction:
    """Calibrated probabilities for the article and for each of its sentences.

    Attributes:
        scores: label -> calibrated probability for the whole article.
        sentence_scores: array of shape (n_sentences, n_labels), same label order as ``labels``.
        labels: label order of ``sentence_scores``.
    """

    scores: dict[str, float]
    sentence_scores: np.ndarray
    labels: tuple[str, ...]


@runtime_checkable
class NarrativeModel(Protocol):
    """The interface of a backend. Learned state ends in ``_`` (scikit-learn convention)."""

    registry_name: str
    labels_: tuple[str, ...]
    thresholds_: dict[str, float]

    def fit(self, docs: list[Doc], y: np.ndarray) -> NarrativeModel: ...

    def predict(self, docs: list[Doc]) -> list[Prediction]: ...

    def save(self, path: Path) -> None: ...

    @classmethod
    def load(cls, path: Path) -> NarrativeModel: ...


def stratified_split(keys: Sequence[str], *, test_size: float, seed: int) -> tuple[list[int], list[int]]:
    """Indices of a (train, test) split that keeps each key's share, deterministic in ``seed``.

    Keys are strata such as ``"zh-Hant|ai_disruption"`` (language and label combination).
    """
    rng = np.random.default_rng(seed)
    groups: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(key, []).append(i)
    train: list[int] = []
    test: list[int] = []
    for key in sorted(groups):
        idx = np.array(groups[key])
        rng.shuffle(idx)
        n_test = int(round(len(idx) * test_size))
        test.extend(idx[:n_test].tolist())
        train.extend(idx[n_test:].tolist())
    return sorted(train), sorted(test)
