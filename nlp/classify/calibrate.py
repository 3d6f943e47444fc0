"""Calibration helpers both trainable backends share: Platt scaling's link functions, re-weighting
to a stated prevalence, F1-optimal thresholds, and strata that stratified folds can split.

The linear and the transformer backend calibrate the same way (SPEC section 2: a label is a
calibrated score that passes its own threshold), so these live once, here, rather than in one
backend that the other imports from.
"""

from __future__ import annotations

import numpy as np


def logit(p: np.ndarray | float) -> np.ndarray | float:
    """Log-odds of ``p``, clipped away from 0 and 1 so that it stays finite."""
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function, with ``x`` clipped to [-50, 50] so that ``exp`` cannot overflow."""
    return 1.0 / (1.0 + np.exp(-np.clip(x, -50, 50)))


def safe_strata(strata: np.ndarray, n_splits: int = 5) -> np.ndarray:
    """Merge strata too small for stratified folds: first into their language, then into one."""
    values, counts = np.unique(strata, return_counts=True)
    small = set(values[counts < n_splits])
    merged = np.array([s.split("|")[0] + "|rare" if s in small else s for s in strata])
    values, counts = np.unique(merged, return_counts=True)
    small = set(values[counts < n_splits])
    return np.array(["rare" if s in small else s for s in merged])


def prior_weights(y: np.ndarray, prior: float | None) -> np.ndarray:
    """Sample weights that make the positive share of ``y`` equal ``prior``."""
    share = float(np.mean(y))
    if prior is None or share in (0.0, 1.0):
        return np.ones(len(y))
    return np.where(y == 1, prior / share, (1 - prior) / (1 - share))


def best_threshold(probs: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> float:
    """Threshold that maximises (weighted) F1 on out-of-fold probabilities, within [0.2, 0.8]."""
    w = np.ones(len(y)) if w is None else w
    best, best_f1 = 0.5, -1.0
    for t in np.arange(0.2, 0.81, 0.02):
        pred = probs >= t
        tp = float(np.sum(w * (pred & (y == 1))))
        fp = float(np.sum(w * (pred & (y == 0))))
        fn = float(np.sum(w * (~pred & (y == 1))))
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(round(t, 2)), f1
    return best
