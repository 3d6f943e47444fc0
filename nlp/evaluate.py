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
    """Per-label and per-language P/R/F1, macro-F1 and calibration of a multi-label prediction."""
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
        out["by_lang"][lang] = {"n": int(m.sum()), "labels": per, "macro_f1": round(float(np.mean([per[lab]["f1"] for lab in labels])), 4)}
    out["exact_match"] = round(float(np.mean(np.all(y_true == y_pred, axis=1))), 4) if len(y_true) else 0.0
    return out
