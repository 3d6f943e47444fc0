"""Training and evaluating narrative models on labelled corpora (SPEC input plus ``labels``)."""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nlp.classify import registry
from nlp.classify.artifacts import save_model
from nlp.classify.base import Doc
from nlp.errors import ConfigError
from nlp.evaluate import evaluate_predictions
from nlp.io import read_articles
from nlp.pipeline import Prepared, prepare
from nlp.records import NARRATIVES, Article, RecordError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Example:
    """A labelled article, prepared for the classifier."""

    article: Article
    doc: Doc
    labels: frozenset[str]


def read_labelled(paths: Iterable[str | Path], *, labels: Sequence[str] = NARRATIVES) -> tuple[list[Example], list[RecordError]]:
    """Read labelled JSONL/CSV files; records without a valid ``labels`` list are reported."""
    paths = [Path(p) for p in paths]
    label_map: dict[tuple[str, int], Any] = {}
    for p in paths:
        if p.suffix == ".jsonl":
            with p.open(encoding="utf-8", errors="replace") as fh:
                for i, line in enumerate(fh, 1):
                    try:
                        obj = json.loads(line)
                    except json.JSONDecodeError:
                        continue
                    if isinstance(obj, dict):
                        label_map[(str(p), i)] = obj.get("labels")
    examples: list[Example] = []
    errors: list[RecordError] = []
    for item in read_articles(paths):
        if isinstance(item, RecordError):
            errors.append(item)
            continue
        path, _, line = (item.origin or "").rpartition(":")
        raw = label_map.get((path, int(line))) if line.isdigit() else None
        if not isinstance(raw, list) or any(lab not in labels for lab in raw):
            errors.append(RecordError(int(line) if line.isdigit() else None, f"`labels` must be a list drawn from {list(labels)}", item.id, path))
            continue
        prepared = prepare(item)
        if isinstance(prepared, RecordError):
            errors.append(prepared)
            continue
        assert isinstance(prepared, Prepared)  # noqa: S101 - narrowing for type checkers
        examples.append(Example(item, prepared.doc, frozenset(raw)))
    return examples, errors


def label_matrix(examples: Sequence[Example], labels: Sequence[str] = NARRATIVES) -> np.ndarray:
    return np.array([[int(lab in ex.labels) for lab in labels] for ex in examples], dtype=int).reshape(-1, len(labels))


def corpus_hash(paths: Iterable[str | Path]) -> str:
    """sha256 over the corpus files' bytes, in sorted path order."""
    h = hashlib.sha256()
    for p in sorted(Path(x) for x in paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def split_examples(examples: Sequence[Example], *, test_size: float, seed: int) -> tuple[list[int], list[int]]:
    """Stratified train/test indices by language and label combination, deterministic in ``seed``."""
    rng = np.random.default_rng(seed)
    groups: dict[str, list[int]] = {}
    for i, ex in enumerate(examples):
        groups.setdefault(f"{ex.doc.lang}|{'+'.join(sorted(ex.labels))}", []).append(i)
    train, test = [], []
    for key in sorted(groups):
        idx = np.array(groups[key])
        rng.shuffle(idx)
        n_test = int(round(len(idx) * test_size))
        test.extend(idx[:n_test].tolist())
        train.extend(idx[n_test:].tolist())
    return sorted(train), sorted(test)


def predict_labels(model: Any, docs: Sequence[Doc]) -> tuple[np.ndarray, np.ndarray]:
    """(probabilities, 0/1 predictions) of a model on documents, label order ``model.labels_``."""
    preds = model.predict(list(docs))
    probs = np.array([[p.scores[lab] for lab in model.labels_] for p in preds]).reshape(-1, len(model.labels_))
    thr = np.array([model.thresholds_.get(lab, 0.5) for lab in model.labels_])
    return probs, (probs >= thr).astype(int)


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
) -> dict[str, Any]:
    """Train a backend on labelled files, evaluate it on a held-out split and save a model folder.

    Returns the model's ``meta.json`` content (metrics included).
    """
    if not 0.0 <= test_size < 1.0:
        raise ConfigError(f"test_size must be in [0, 1), got {test_size}")
    examples, errors = read_labelled(data)
    if len(examples) < 20:
        raise ConfigError(f"need at least 20 labelled articles, got {len(examples)} ({len(errors)} rejected)")
    train_idx, test_idx = split_examples(examples, test_size=test_size, seed=seed) if test_size else (list(range(len(examples))), [])
    tr = [examples[i] for i in train_idx]
    te = [examples[i] for i in test_idx]
    cls = registry.get(backend)
    model = cls(**(params or {}), seed=seed) if "seed" in cls.__init__.__code__.co_varnames else cls(**(params or {}))
    model.fit([e.doc for e in tr], label_matrix(tr))
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
    save_model(model, Path(out), name=name or Path(out).name, meta=meta)
    return meta
