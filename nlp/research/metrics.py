"""Metrics for multi-label narrative predictions: per label, per language, macro-F1, calibration."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def prf(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """Precision, recall, F1 and support of one binary column."""
    y_true = np.asarray(y_true, dtype=bool)
    y_pred = np.asarray(y_pred, dtype=bool)
    tp = int(np.sum(y_true & y_pred))
    fp = int(np.sum(~y_true & y_pred))
    fn = int(np.sum(y_true & ~y_pred))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    # A label absent from both truth and prediction is perfectly handled, not a zero.
    if tp + fp + fn == 0:
        p = r = f = 1.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "support": int(y_true.sum()), "tp": tp, "fp": fp, "fn": fn}


def expected_calibration_error(y_true: np.ndarray, probs: np.ndarray, *, bins: int = 10) -> tuple[float, list[dict[str, float]]]:
    """ECE over equal-width bins and the reliability table behind it."""
    y_true = np.asarray(y_true, dtype=float)
    probs = np.asarray(probs, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.clip(np.digitize(probs, edges[1:-1]), 0, bins - 1)
    table = []
    ece = 0.0
    for b in range(bins):
        mask = idx == b
        n = int(mask.sum())
        if not n:
            continue
        conf = float(probs[mask].mean())
        acc = float(y_true[mask].mean())
        ece += n / len(probs) * abs(conf - acc)
        table.append({"bin": f"{edges[b]:.1f}-{edges[b + 1]:.1f}", "n": n, "mean_score": round(conf, 4), "fraction_positive": round(acc, 4)})
    return round(ece, 4), table


def evaluate_predictions(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    probs: np.ndarray,
    langs: Sequence[str],
    labels: Sequence[str],
) -> dict[str, Any]:
    """Per-label and per-language P/R/F1, macro-F1 (with a bootstrap 95% interval) and calibration."""
    y_true = np.asarray(y_true, dtype=bool)
    y_pred = np.asarray(y_pred, dtype=bool)
    langs_arr = np.asarray(langs)
    out: dict[str, Any] = {"n": int(len(y_true)), "labels": {}, "by_lang": {}}
    for j, lab in enumerate(labels):
        out["labels"][lab] = prf(y_true[:, j], y_pred[:, j])
        ece, table = expected_calibration_error(y_true[:, j], probs[:, j])
        out["labels"][lab]["ece"] = ece
        out["labels"][lab]["reliability"] = table
    out["macro_f1"] = round(float(np.mean([out["labels"][lab]["f1"] for lab in labels])), 4)
    for lang in sorted(set(langs_arr.tolist())):
        m = langs_arr == lang
        per = {lab: prf(y_true[m, j], y_pred[m, j]) for j, lab in enumerate(labels)}
        out["by_lang"][lang] = {
            "n": int(m.sum()),
            "labels": per,
            "macro_f1": round(float(np.mean([per[lab]["f1"] for lab in labels])), 4),
            "macro_f1_ci95": bootstrap_macro_f1(y_true[m], y_pred[m]),
        }
    out["macro_f1_ci95"] = bootstrap_macro_f1(y_true, y_pred)
    out["exact_match"] = round(float(np.mean(np.all(y_true == y_pred, axis=1))), 4) if len(y_true) else 0.0
    return out


def bootstrap_macro_f1(y_true: np.ndarray, y_pred: np.ndarray, *, n_boot: int = 1000, seed: int = 0, level: float = 0.95) -> list[float]:
    """Percentile bootstrap interval of macro-F1, resampling articles with replacement.

    Evaluation sets of a few hundred articles move by several points when a handful of articles
    change, so every reported macro-F1 carries its interval. Seeded: the same data gives the same
    interval. F1 follows :func:`prf` (a label absent from truth and prediction counts 1.0).
    """
    y_true = _as_matrix(y_true)
    if len(y_true) == 0:
        return [0.0, 0.0]
    idx = np.random.default_rng(seed).integers(0, len(y_true), size=(n_boot, len(y_true)))
    return _percentiles(_resampled_macro_f1(y_true, _as_matrix(y_pred), idx), level)


def paired_bootstrap_difference(y_true: np.ndarray, pred_a: np.ndarray, pred_b: np.ndarray, *, n_boot: int = 1000, seed: int = 0, level: float = 0.95) -> dict[str, Any]:
    """Macro-F1 of ``pred_b`` minus that of ``pred_a`` on the same articles, with a paired interval.

    Both predictions are scored on the same resamples, so the interval is that of the difference
    itself (much narrower than two separate intervals suggest). ``share_not_better`` is the share
    of resamples where ``b`` does not beat ``a``: a one-sided bootstrap p-value.
    """
    y_true = _as_matrix(y_true)
    a, b = _as_matrix(pred_a), _as_matrix(pred_b)
    if len(y_true) == 0:
        return {"difference": 0.0, "ci95": [0.0, 0.0], "share_not_better": 1.0}
    idx = np.random.default_rng(seed).integers(0, len(y_true), size=(n_boot, len(y_true)))
    whole = np.arange(len(y_true)).reshape(1, -1)
    diff = _resampled_macro_f1(y_true, b, idx) - _resampled_macro_f1(y_true, a, idx)
    point = float(_resampled_macro_f1(y_true, b, whole)[0] - _resampled_macro_f1(y_true, a, whole)[0])
    return {"difference": round(point, 4), "ci95": _percentiles(diff, level), "share_not_better": round(float(np.mean(diff <= 0)), 4)}


def _as_matrix(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y, dtype=bool)
    return y.reshape(len(y), -1)


def _resampled_macro_f1(y_true: np.ndarray, y_pred: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Macro-F1 of each row of resampled article indices ``idx`` (n_resamples, n)."""
    f1s = np.zeros((len(idx), y_true.shape[1]))
    for j in range(y_true.shape[1]):
        t, p = y_true[idx, j], y_pred[idx, j]
        tp = (t & p).sum(axis=1)
        fp = (~t & p).sum(axis=1)
        fn = (t & ~p).sum(axis=1)
        denom = 2 * tp + fp + fn
        f1s[:, j] = np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 1.0)
    return f1s.mean(axis=1)


def _percentiles(values: np.ndarray, level: float) -> list[float]:
    tail = (1.0 - level) / 2 * 100
    lo, hi = np.percentile(values, [tail, 100 - tail])
    return [round(float(lo), 4), round(float(hi), 4)]


def confusion_counts(y_true: np.ndarray, y_pred: np.ndarray, labels: Sequence[str]) -> dict[str, dict[str, int]]:
    """tp / fp / fn / tn of each label."""
    y_true = np.asarray(y_true, dtype=bool)
    y_pred = np.asarray(y_pred, dtype=bool)
    out = {}
    for j, lab in enumerate(labels):
        t, p = y_true[:, j], y_pred[:, j]
        out[lab] = {"tp": int(np.sum(t & p)), "fp": int(np.sum(~t & p)), "fn": int(np.sum(t & ~p)), "tn": int(np.sum(~t & ~p))}
    return out


def label_set_name(row: Sequence[int] | np.ndarray, labels: Sequence[str]) -> str:
    """``none``, one label, or ``a+b``: the name of a row's label combination."""
    names = [lab for lab, v in zip(labels, row, strict=True) if v]
    return "+".join(names) if names else "none"


def label_set_confusion(y_true: np.ndarray, y_pred: np.ndarray, labels: Sequence[str]) -> dict[str, Any]:
    """Counts of (true label set, predicted label set): a 4x4 table for two labels.

    Returns ``{"sets": [...], "matrix": [[...]]}`` with rows the true set and columns the predicted.
    """
    k = len(labels)
    sets = [label_set_name([(m >> j) & 1 for j in range(k)], labels) for m in range(2**k)]
    weights = 2 ** np.arange(k)
    t_idx = (np.asarray(y_true, dtype=int) * weights).sum(axis=1) if len(y_true) else np.zeros(0, dtype=int)
    p_idx = (np.asarray(y_pred, dtype=int) * weights).sum(axis=1) if len(y_pred) else np.zeros(0, dtype=int)
    matrix = np.zeros((2**k, 2**k), dtype=int)
    np.add.at(matrix, (t_idx, p_idx), 1)
    return {"sets": sets, "matrix": matrix.tolist()}


def uncertain(probs: np.ndarray, thresholds: Sequence[float], n: int) -> list[int]:
    """Row indices of the ``n`` articles whose scores lie closest to a threshold, closest first.

    The margin of an article is its smallest ``|score - threshold|`` over the labels: these are
    the articles where one annotation changes the model most (uncertainty sampling).
    """
    probs = np.asarray(probs, dtype=float).reshape(len(probs), -1)
    if not len(probs) or n <= 0:
        return []
    margin = np.abs(probs - np.asarray(thresholds, dtype=float)).min(axis=1)
    return [int(i) for i in np.argsort(margin, kind="stable")[:n]]
