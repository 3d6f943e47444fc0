"""Training on our corpus plus annotated real news, and cross-validating on the real records only.

Our written corpus teaches the regressions vocabulary and themes; real news, annotated from the
training pool, is what the model must be right on. So:

- real records carry their own weight in the regressions (``real_weight``);
- calibration and thresholds are fitted on out-of-fold scores of the records ``calibrate`` names:
  the real ones (default), the real ones that speak of AI, or every record;
- out-of-fold splits keep each syndicated story whole (MinHash clusters from
  :func:`nlp.index.dedup.assign_clusters`), so no copy of a test story is trained on;
- cross-validation tests on real records only (the corpus is always trained on), grouped by story
  or by source file; a held-out fold's stories are also removed from the training side when they
  have copies in other files.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from nlp.errors import ConfigError
from nlp.research.fitting import group_kfold_indices, label_matrix, predict_labels
from nlp.research.metrics import evaluate_predictions

log = logging.getLogger(__name__)

#: What ``cross_validate_real`` groups its folds by.
REAL_GROUPS = ("story", "file")


def story_clusters(examples: Sequence[Any]) -> list[str]:
    """A story id per example: syndicated copies among the real records share one; others are alone."""
    from nlp.index.dedup import assign_clusters

    real = [(e.article.id, e.article.published, f"{e.article.title or ''}\n{e.article.text}") for e in examples if e.is_reference]
    clusters = assign_clusters(real, max_gap=None) if real else {}
    return [f"story:{clusters[e.article.id]}" if e.is_reference else f"doc:{i}" for i, e in enumerate(examples)]


#: Which records fit calibration and thresholds: every record (corpus and real), the real ones,
#: or the real ones that speak of AI.
CALIBRATION_SCOPES = ("all", "real", "real-ai")


def mentions_ai(example: Any) -> bool:
    """True when an example's analysis text holds a term of the lexicon's ``ai`` concepts."""
    return _speaks_of_ai(example.doc.sentences)


@lru_cache(maxsize=1 << 16)
def _speaks_of_ai(sentences: tuple[str, ...]) -> bool:
    # Cached: cross-validation asks again for every fold about the same documents.
    from nlp.text.lexicon import default_matcher

    matcher = default_matcher()
    return any(h.narrative == "ai" for s in sentences for h in matcher.find(s))


def fit_options(
    examples: Sequence[Any], *, real_weight: float = 1.0, stories: Sequence[str] | None = None, calibrate: str = "real"
) -> dict[str, Any]:
    """``fit`` keywords for a mix of corpus and real records (empty when there is no real record).

    ``calibrate="all"`` fits calibration and thresholds on every record, corpus and real alike (the
    corpus holds the long articles real feeds lack); ``"real-ai"`` on the real records that speak
    of AI only. Both narratives are about AI, so the hard decision is between AI news that carries one
    and AI news that does not; the pool's many records on other subjects score low anyway, and
    left in they pull a threshold down to where it admits too much AI news elsewhere.
    """
    if calibrate not in CALIBRATION_SCOPES:
        raise ConfigError(f"calibrate must be one of {list(CALIBRATION_SCOPES)}, got {calibrate!r}")
    is_real = np.array([e.is_reference for e in examples], dtype=bool)
    if not is_real.any():
        return {}
    cal = np.ones(len(examples), dtype=bool) if calibrate == "all" else is_real.copy()
    if calibrate == "real-ai":
        cal &= np.array([e.is_reference and mentions_ai(e) for e in examples], dtype=bool)
        if not cal.any():
            raise ConfigError("no real record speaks of AI: cannot calibrate on real-ai")
    return {
        "sample_weight": np.where(is_real, real_weight, 1.0),
        "calibrate_on": cal,
        "groups": list(stories) if stories is not None else story_clusters(examples),
    }


def fit_backend(model: Any, examples: Sequence[Any], options: dict[str, Any]) -> Any:
    """Fit ``model`` on examples, passing the real-record options the backend's ``fit`` accepts."""
    accepted = inspect.signature(model.fit).parameters
    given = {k: v for k, v in options.items() if k in accepted}
    if options and len(given) < len(options):
        log.warning("%s.fit ignores %s", type(model).__name__, sorted(set(options) - set(given)))
    return model.fit([e.doc for e in examples], label_matrix(examples), **given)


def real_folds(examples: Sequence[Any], stories: Sequence[str], *, by: str, folds: int, seed: int) -> list[list[int]]:
    """Test folds of real records: whole stories (``by="story"``) or whole source files (``"file"``)."""
    real = [i for i, e in enumerate(examples) if e.is_reference]
    if by == "story":
        keys = [stories[i] for i in real]
    elif by == "file":
        keys = [examples[i].feed for i in real]
    else:
        raise ConfigError(f"real cross-validation groups by one of {list(REAL_GROUPS)}, got {by!r}")
    if by == "file":
        folds = len(set(keys))
    sets = group_kfold_indices(keys, folds=folds, seed=seed)
    return [[real[k] for k in s] for s in sets]


def cross_validate_real(
    examples: Sequence[Any],
    *,
    build: Any,
    by: str = "story",
    folds: int = 5,
    seed: int = 0,
    real_weight: float = 1.0,
    calibrate: str = "real",
    train_mask: Sequence[bool] | None = None,
    stories: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Out-of-fold metrics on the real records; the corpus is always in training.

    Args:
        examples: labelled examples, corpus and real (``Example.is_reference``).
        build: a callable returning an unfitted backend.
        by: ``story`` (K folds of whole stories) or ``file`` (leave one source file out).
        folds: K for ``by="story"``.
        real_weight: weight of real records in the regressions.
        calibrate: which real records fit calibration and thresholds (:func:`fit_options`).
        train_mask: examples that may train (default all): a learning curve thins the real
            records trained on while every real record is still scored.
        stories: :func:`story_clusters` of ``examples`` when the caller has them already.

    Returns:
        ``pooled`` metrics over every real record, ``by_file`` metrics of each source file,
        ``ranking`` (average precision, ROC AUC), the out-of-fold probabilities and predictions
        (``oof``, ``pred``; label order ``labels``, rows in ``oof_ids`` order) and the fold count.
    """
    stories = list(stories) if stories is not None else story_clusters(examples)
    test_sets = real_folds(examples, stories, by=by, folds=folds, seed=seed)
    n_real = sum(len(t) for t in test_sets)
    probs_all = np.zeros((len(examples), 0))
    pred_all = probs_all
    labels: tuple[str, ...] = ()
    for k, test in enumerate(test_sets):
        held_stories = {stories[i] for i in test}
        train_idx = [i for i in range(len(examples)) if stories[i] not in held_stories and (train_mask is None or train_mask[i])]
        tr = [examples[i] for i in train_idx]
        model = fit_backend(build(), tr, fit_options(tr, real_weight=real_weight, stories=[stories[i] for i in train_idx], calibrate=calibrate))
        labels = tuple(model.labels_)
        if probs_all.shape[1] == 0:
            probs_all = np.full((len(examples), len(labels)), np.nan)
            pred_all = np.zeros((len(examples), len(labels)), dtype=int)
        probs, pred = predict_labels(model, [examples[i].doc for i in test])
        probs_all[test] = probs
        pred_all[test] = pred
        log.info("real fold %d/%d: %d train, %d test", k + 1, len(test_sets), len(tr), len(test))
    real = [i for i, e in enumerate(examples) if e.is_reference]
    y = label_matrix([examples[i] for i in real], labels)
    langs = [examples[i].doc.lang for i in real]
    pooled = evaluate_predictions(y, pred_all[real], probs_all[real], langs, labels)
    by_file: dict[str, Any] = {}
    feeds = np.array([examples[i].feed for i in real])
    for feed in sorted(set(feeds)):
        m = feeds == feed
        yy = y[m]
        by_file[feed] = {
            "n": int(m.sum()),
            "positives": {lab: int(yy[:, j].sum()) for j, lab in enumerate(labels)},
            "metrics": evaluate_predictions(yy, pred_all[real][m], probs_all[real][m], [langs[i] for i in np.flatnonzero(m)], labels),
        }
    return {"grouped_by": by, "folds": len(test_sets), "n": n_real, "labels": list(labels), "pooled": pooled, "by_file": by_file,
            "ranking": ranking_metrics(y, probs_all[real], labels), "pred": pred_all[real],
            "oof": probs_all[real], "oof_ids": [examples[i].article.id for i in real]}


def ranking_metrics(y: np.ndarray, probs: np.ndarray, labels: Sequence[str]) -> dict[str, dict[str, float | None]]:
    """Average precision and ROC AUC per label: threshold-free, so they compare features and weights
    on a pool whose prevalence differs from the one thresholds are set for."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    out: dict[str, dict[str, float | None]] = {}
    for j, lab in enumerate(labels):
        yy = y[:, j]
        both = 0 < yy.sum() < len(yy)
        out[lab] = {
            "positives": int(yy.sum()),
            "average_precision": round(float(average_precision_score(yy, probs[:, j])), 4) if both else None,
            "roc_auc": round(float(roc_auc_score(yy, probs[:, j])), 4) if both else None,
        }
    return out


def summarize_real_cv(result: dict[str, Any]) -> dict[str, Any]:
    """The JSON part of :func:`cross_validate_real`: pooled and per-file metrics, no arrays."""
    pooled = result["pooled"]
    labels = result["labels"]
    return {
        "grouped_by": result["grouped_by"],
        "folds": result["folds"],
        "n": result["n"],
        "macro_f1": pooled["macro_f1"],
        "macro_f1_ci95": pooled["macro_f1_ci95"],
        "labels": {lab: {k: pooled["labels"][lab][k] for k in ("precision", "recall", "f1", "ece")} | result["ranking"][lab] for lab in labels},
        "by_lang": {lang: {"n": v["n"], "macro_f1": v["macro_f1"], "macro_f1_ci95": v["macro_f1_ci95"]} for lang, v in pooled["by_lang"].items()},
        "by_file": {feed: {"n": v["n"], "positives": v["positives"], "macro_f1": v["metrics"]["macro_f1"]} for feed, v in result["by_file"].items()},
    }
