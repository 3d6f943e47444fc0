"""Training and evaluating narrative models on labelled corpora (SPEC input plus ``labels``)."""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from nlp.classify import registry
from nlp.classify.artifacts import save_model
from nlp.classify.base import Doc, stratified_split
from nlp.errors import ConfigError
from nlp.pipeline import Prepared, prepare
from nlp.records import NARRATIVES, Article, RecordError
from nlp.research.fitting import group_kfold_indices, label_matrix, predict_labels
from nlp.research.metrics import evaluate_predictions
from nlp.research.real_cv import (
    REAL_GROUPS,
    cross_validate_real,
    fit_backend,
    fit_options,
    story_clusters,
    summarize_real_cv,
)
from nlp.research.references import is_reference_file, read_reference_file
from nlp.research.sentence_labels import SentenceSpan, parse_sentence_labels, sentence_matrix
from nlp.text.reader import read_articles

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Example:
    """A labelled article, prepared for the classifier.

    ``spans`` are its sentence-level labels (:mod:`nlp.research.sentence_labels`), ``None`` when the
    record has none; ``doc.sentence_y`` then holds them per analysis sentence.
    """

    article: Article
    doc: Doc
    labels: frozenset[str]
    spans: tuple[SentenceSpan, ...] | None = None
    #: The news file a referenced real record was read from (``None`` for a record whose text is
    #: in the labelled file itself): real records are grouped, weighted and calibrated on apart.
    feed: str | None = None

    @property
    def is_reference(self) -> bool:
        return self.feed is not None


def _labelled_items(paths: Iterable[str | Path], news_dir: str | Path | None) -> Iterator[tuple[Article | RecordError, str | None]]:
    """Items of each file in order, with the news file of referenced records."""
    for path in paths:
        if is_reference_file(path):
            for item in read_reference_file(path, news_dir=news_dir):
                yield item, (item.id.rpartition(":")[0] if isinstance(item, Article) else None)
        else:
            for item in read_articles([path]):
                yield item, None


def read_labelled(
    paths: Iterable[str | Path], *, labels: Sequence[str] = NARRATIVES, news_dir: str | Path | None = None
) -> tuple[list[Example], list[RecordError]]:
    """Read labelled JSONL/CSV files; records without a valid ``labels`` list are reported.

    A file of references (``{"ref": "FILE:LINE", "labels": [...]}``, see
    :mod:`nlp.research.references`) has its text read from ``news_dir`` (default: ``$NARRATIVES_NEWS_DIR``
    or ``../shared/data/news``). Optional ``sentence_labels`` are validated and mapped onto the
    analysis sentences; a record whose sentence labels are malformed is reported (line, reason) and
    left out. Ids must be unique across all files.
    """
    examples: list[Example] = []
    errors: list[RecordError] = []
    seen: set[str] = set()
    for item, feed in _labelled_items(paths, news_dir):
        if isinstance(item, Article):
            if item.id in seen:
                errors.append(RecordError(item.line, f"duplicate id {item.id!r} (first copy kept)", item.id, item.path))
                continue
            seen.add(item.id)
        if isinstance(item, RecordError):
            errors.append(item)
            continue
        raw = item.labels
        if not isinstance(raw, tuple) or any(lab not in labels for lab in raw):
            errors.append(RecordError(item.line, f"`labels` must be a list drawn from {list(labels)}", item.id, item.path))
            continue
        prepared = prepare(item)
        if isinstance(prepared, RecordError):
            errors.append(prepared)
            continue
        assert isinstance(prepared, Prepared)  # noqa: S101 - narrowing for type checkers
        doc, spans = prepared.doc, None
        if item.sentence_labels is not None:
            try:
                spans = parse_sentence_labels(item.sentence_labels, text=item.text, title=item.title, labels=labels)
            except ValueError as exc:
                errors.append(RecordError(item.line, str(exc), item.id, item.path))
                continue
            where = [(s.field, *prepared.docs[s.field].to_original(s.start, s.end)) for s in prepared.sentences]
            doc = replace(doc, sentence_y=tuple(map(tuple, sentence_matrix(where, spans, labels).tolist())))
        examples.append(Example(item, doc, frozenset(raw), spans, feed))
    return examples, errors




def corpus_hash(paths: Iterable[str | Path]) -> str:
    """sha256 over the corpus files' bytes, in sorted path order."""
    h = hashlib.sha256()
    for p in sorted(Path(x) for x in paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def split_examples(examples: Sequence[Example], *, test_size: float, seed: int) -> tuple[list[int], list[int]]:
    """Stratified train/test indices by language and label combination, deterministic in ``seed``."""
    keys = [f"{ex.doc.lang}|{'+'.join(sorted(ex.labels))}" for ex in examples]
    return stratified_split(keys, test_size=test_size, seed=seed)




def evaluate_model(model: Any, examples: Sequence[Example]) -> dict[str, Any]:
    """Metrics of ``model`` on labelled examples."""
    probs, pred = predict_labels(model, [e.doc for e in examples])
    y = label_matrix(examples, model.labels_)
    return evaluate_predictions(y, pred, probs, [e.doc.lang for e in examples], model.labels_)


def train(
    data: Sequence[str | Path],
    *,
    out: str | Path,
    backend: str = "tfidf-logreg.v1",
    name: str | None = None,
    test_size: float = 0.2,
    seed: int = 0,
    params: dict[str, Any] | None = None,
    folds: int | None = None,
    group_by: str | None = None,
    news_dir: str | Path | None = None,
    real_weight: float = 1.0,
    real_cv: Sequence[str] = (),
    real_folds: int = 5,
    calibrate: str = "real",
) -> dict[str, Any]:
    """Train a backend on labelled files, evaluate it on a held-out split and save a model folder.

    With ``folds=K`` the training split is also cross-validated (K models, stratified folds, or
    folds that keep each ``group_by`` group whole: see :func:`cross_validate`) and the fold and
    pooled metrics go into ``meta["metrics_cv"]``; the saved model is still the one fitted on
    the whole training split.

    Reference files (annotated real news, :mod:`nlp.research.references`) have their text read
    from ``news_dir``. Real records are never held out at random (syndicated copies would leak):
    they all train and weigh ``real_weight`` each in the regressions; ``calibrate`` says which
    records fit calibration and thresholds (``real``, the default; ``real-ai``, the real records
    that speak of AI; ``all``: see :func:`nlp.research.real_cv.fit_options`). ``real_cv`` names the
    groupings (``story``, ``file``) by which the real records are also cross-validated, the corpus
    always training; the metrics go into ``meta["metrics_real_cv"]``.

    Returns the model's ``meta.json`` content (metrics included).
    """
    if not 0.0 <= test_size < 1.0:
        raise ConfigError(f"test_size must be in [0, 1), got {test_size}")
    if folds is not None and folds < 2:
        raise ConfigError(f"folds must be at least 2, got {folds}")
    if group_by is not None and group_by not in GROUP_KEYS:
        raise ConfigError(f"group_by must be one of {list(GROUP_KEYS)}, got {group_by!r}")
    if group_by is not None and folds is None:
        raise ConfigError("group_by groups the cross-validation folds: give folds as well")
    if real_weight <= 0:
        raise ConfigError(f"real_weight must be positive, got {real_weight}")
    unknown = sorted(set(real_cv) - set(REAL_GROUPS))
    if unknown:
        raise ConfigError(f"real_cv groups by {list(REAL_GROUPS)}, got {unknown}")
    examples, errors = read_labelled(data, news_dir=news_dir)
    for err in errors:
        log.warning("%s line %s: %s", err.path, err.line, err.reason)
    if len(examples) < 20:
        raise ConfigError(f"need at least 20 labelled articles, got {len(examples)} ({len(errors)} rejected)")
    corpus = [e for e in examples if not e.is_reference]
    real = [e for e in examples if e.is_reference]
    train_idx, test_idx = split_examples(corpus, test_size=test_size, seed=seed) if test_size and len(corpus) >= 20 else (list(range(len(corpus))), [])
    tr = [corpus[i] for i in train_idx] + real
    te = [corpus[i] for i in test_idx]
    metrics_cv = cross_validate(tr, backend=backend, params=params, seed=seed, folds=folds, group_by=group_by) if folds else None
    stories = story_clusters(tr) if real else None  # MinHash over every real record: once
    metrics_real = {
        by: summarize_real_cv(cross_validate_real(tr, build=lambda: build_model(backend, params=params, seed=seed), by=by, folds=real_folds, seed=seed,
                                                  real_weight=real_weight, calibrate=calibrate, stories=stories))
        for by in real_cv
    } if real else {}
    model = fit_backend(build_model(backend, params=params, seed=seed), tr, fit_options(tr, real_weight=real_weight, stories=stories, calibrate=calibrate))
    counts: dict[str, dict[str, int]] = {}
    for ex in examples:
        c = counts.setdefault(ex.doc.lang, Counter())
        c["articles"] += 1
        for lab in ex.labels:
            c[lab] += 1
    meta = {
        "version": Path(out).name,
        "seed": seed,
        "test_size": test_size,
        "corpus": [Path(p).name for p in data],
        "corpus_sha256": corpus_hash(data),
        "n_train": len(tr),
        "n_test": len(te),
        "n_rejected": len(errors),
        "label_counts": {k: dict(v) for k, v in sorted(counts.items())},
        "metrics_heldout": evaluate_model(model, te) if te else None,
    }
    if real:
        meta["real"] = {"n": len(real), "real_weight": real_weight, "calibrate": calibrate, "files": dict(sorted(Counter(e.feed for e in real).items()))}
    if metrics_cv is not None:
        meta["metrics_cv"] = metrics_cv
    if metrics_real:
        meta["metrics_real_cv"] = metrics_real
    save_model(model, Path(out), name=name or Path(out).name, meta=meta)
    return meta


def build_model(backend: str, *, params: dict[str, Any] | None = None, seed: int = 0) -> Any:
    """An unfitted backend from its registry name; ``seed`` is passed when the backend takes one."""
    cls = registry.get(backend)
    params = dict(params or {})
    if "seed" in cls.__init__.__code__.co_varnames:
        params.setdefault("seed", seed)
    try:
        return cls(**params)
    except TypeError as exc:
        raise ConfigError(f"invalid parameters for backend {backend!r}: {exc}") from None


def kfold_indices(examples: Sequence[Example], *, folds: int, seed: int) -> list[list[int]]:
    """Stratified fold membership (by language and label combination), deterministic in ``seed``.

    Each stratum is shuffled and dealt round-robin, continuing across strata, so fold sizes differ
    by at most one and every fold sees every language.
    """
    rng = np.random.default_rng(seed)
    groups: dict[str, list[int]] = {}
    for i, ex in enumerate(examples):
        groups.setdefault(f"{ex.doc.lang}|{'+'.join(sorted(ex.labels))}", []).append(i)
    out: list[list[int]] = [[] for _ in range(folds)]
    turn = 0
    for key in sorted(groups):
        idx = np.array(groups[key])
        rng.shuffle(idx)
        for i in idx.tolist():
            out[turn % folds].append(i)
            turn += 1
    return [sorted(f) for f in out]


#: What ``group_by`` accepts: articles sharing a value never straddle a fold boundary.
GROUP_KEYS = ("file", "source")


def article_group(example: Example, key: str) -> str:
    """The group of an example: the file it was read from, or its ``source`` field."""
    if key == "file":
        return example.article.path or "-"
    if key == "source":
        return example.article.source or "-"
    raise ConfigError(f"group_by must be one of {list(GROUP_KEYS)}, got {key!r}")




def cross_validate(
    examples: Sequence[Example],
    *,
    backend: str,
    folds: int,
    seed: int = 0,
    params: dict[str, Any] | None = None,
    group_by: str | None = None,
) -> dict[str, Any]:
    """Fit one model per fold on the other folds; fold metrics (mean, std) and pooled metrics.

    ``group_by`` (``file`` or ``source``) keeps each group inside one fold: with labelled files
    from different writers, ``group_by="file"`` measures how a model carries over to writing it
    has not seen, which a random split of near-duplicate styles overstates. The pooled metrics
    score every article once, by the model that did not see its fold.
    """
    if len(examples) < 2 * folds:
        raise ConfigError(f"{folds} folds need at least {2 * folds} articles, got {len(examples)}")
    if group_by is None:
        fold_sets = kfold_indices(examples, folds=folds, seed=seed)
    else:
        fold_sets = group_kfold_indices([article_group(e, group_by) for e in examples], folds=folds, seed=seed)
    per_fold = []
    labels: tuple[str, ...] = ()
    y_all, probs_all, pred_all, langs_all = [], [], [], []
    for k, test in enumerate(fold_sets):
        held = set(test)
        tr = [ex for i, ex in enumerate(examples) if i not in held]
        te = [examples[i] for i in test]
        model = build_model(backend, params=params, seed=seed)
        model.fit([e.doc for e in tr], label_matrix(tr))
        log.info("fold %d/%d: %d train, %d test", k + 1, folds, len(tr), len(te))
        labels = tuple(model.labels_)
        probs, pred = predict_labels(model, [e.doc for e in te])
        y = label_matrix(te, labels)
        langs = [e.doc.lang for e in te]
        per_fold.append(evaluate_predictions(y, pred, probs, langs, labels))
        y_all.append(y)
        probs_all.append(probs)
        pred_all.append(pred)
        langs_all += langs
    summary = summarize_folds(per_fold)
    summary["grouped_by"] = group_by
    pooled = evaluate_predictions(np.vstack(y_all), np.vstack(pred_all), np.vstack(probs_all), langs_all, labels)
    summary["pooled"] = {
        "macro_f1": pooled["macro_f1"],
        "macro_f1_ci95": pooled["macro_f1_ci95"],
        "labels": {lab: {k: v[k] for k in ("precision", "recall", "f1", "ece")} for lab, v in pooled["labels"].items()},
        "by_lang": {lang: {"n": v["n"], "macro_f1": v["macro_f1"], "macro_f1_ci95": v["macro_f1_ci95"]} for lang, v in pooled["by_lang"].items()},
    }
    return summary


def summarize_folds(per_fold: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Mean and standard deviation of fold metrics (macro-F1, per label, per language)."""

    def stat(values: list[float]) -> dict[str, float]:
        arr = np.asarray(values, dtype=float)
        return {"mean": round(float(arr.mean()), 4), "std": round(float(arr.std()), 4)}

    labels = list(per_fold[0]["labels"])
    langs = sorted({lang for m in per_fold for lang in m["by_lang"]})
    return {
        "folds": len(per_fold),
        "n": int(sum(m["n"] for m in per_fold)),
        "macro_f1": stat([m["macro_f1"] for m in per_fold]),
        "fold_macro_f1": [m["macro_f1"] for m in per_fold],
        "labels": {lab: {k: stat([m["labels"][lab][k] for m in per_fold]) for k in ("precision", "recall", "f1", "ece")} for lab in labels},
        "by_lang": {lang: {"macro_f1": stat([m["by_lang"][lang]["macro_f1"] for m in per_fold if lang in m["by_lang"]])} for lang in langs},
    }
