"""Helpers that training and real-news cross-validation share: label matrices, predictions, folds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nlp.classify.base import Doc
from nlp.errors import ConfigError
from nlp.records import NARRATIVES


def label_matrix(examples: Sequence[Any], labels: Sequence[str] = NARRATIVES) -> np.ndarray:
    """0/1 matrix (articles x labels) of examples' ``labels``."""
    return np.array([[int(lab in ex.labels) for lab in labels] for ex in examples], dtype=int).reshape(-1, len(labels))


def predict_labels(model: Any, docs: Sequence[Doc]) -> tuple[np.ndarray, np.ndarray]:
    """(probabilities, 0/1 predictions) of a model on documents, label order ``model.labels_``."""
    preds = model.predict(list(docs))
    probs = np.array([[p.scores[lab] for lab in model.labels_] for p in preds]).reshape(-1, len(model.labels_))
    thr = np.array([model.thresholds_.get(lab, 0.5) for lab in model.labels_])
    return probs, (probs >= thr).astype(int)


def group_kfold_indices(groups: Sequence[str], *, folds: int, seed: int) -> list[list[int]]:
    """Fold membership that keeps each group whole, deterministic in ``seed``.

    Groups go, largest first (equal sizes in seeded order), to the fold with fewest articles so
    far, the balancing of scikit-learn's ``GroupKFold``; written here because that class takes no
    seed and we need the order of equal-sized groups to be reproducible. With as many folds as
    groups this is leave-one-group-out.

    Raises:
        ConfigError: fewer groups than folds.
    """
    members: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        members.setdefault(g, []).append(i)
    if len(members) < folds:
        raise ConfigError(f"{folds} grouped folds need at least {folds} groups, got {len(members)}")
    names = sorted(members)
    order = np.random.default_rng(seed).permutation(len(names))
    ranked = sorted((names[k] for k in order), key=lambda g: -len(members[g]))
    out: list[list[int]] = [[] for _ in range(folds)]
    for g in ranked:
        min(out, key=len).extend(members[g])
    return [sorted(f) for f in out]
