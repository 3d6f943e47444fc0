"""``transformer.v1``: fine-tune a local Hugging Face checkpoint on the two narratives.

Any encoder checkpoint on disk works (``AutoModelForSequenceClassification`` with
``problem_type="multi_label_classification"``); nothing is downloaded (``local_files_only``).

Long articles. An article's sentences (``Doc.sentences``, title first) are packed in order into
windows of at most ``max_length`` tokens, each window is scored, and the window logits are pooled
back to the article by their **maximum** (``pooling="max"``, the default): a narrative stated in
one paragraph of a long article is still the article's narrative, whereas the mean would dilute it
by the article's length. Training back-propagates through the same pooling, so the model learns
which window carries the label (multiple-instance learning). ``pooling="mean"`` is available.

Calibration and thresholds follow the linear backend, through the same helpers
(:mod:`nlp.classify.calibrate`): a stratified validation split is held out of fine-tuning, a
per-label Platt scaling is fitted on its pooled logits (re-weighted to the expected prevalence
``prior``) and the F1-optimal threshold is read off the calibrated scores.
Sentence probabilities for evidence come from scoring every sentence alone, batched, through
the same calibration.

``torch`` and ``transformers`` are imported inside methods only, so importing this module (which
the registry's factory does) costs nothing; a missing extra raises :class:`MissingDependencyError`.
Weights are saved with safetensors in ``hf/`` beside the tokenizer files; loading runs no code.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from nlp.classify.base import Doc, Prediction, stratified_split
from nlp.classify.calibrate import best_threshold, prior_weights, sigmoid
from nlp.errors import (
    ConfigError,
    MissingDependencyError,
    ModelLoadError,
    NotFittedError,
    value_invalid_msg,
)
from nlp.records import NARRATIVES

log = logging.getLogger(__name__)

REGISTRY_NAME = "transformer.v1"
HF_DIR = "hf"
INSTALL_HINT = "pip install 'narratives[transformers]'"
POOLINGS = ("max", "mean")


def _import_torch() -> tuple[Any, Any]:
    """``(torch, transformers)`` or :class:`MissingDependencyError` naming the extra to install."""
    try:
        import torch
        import transformers
    except ImportError:
        raise MissingDependencyError(f"the {REGISTRY_NAME} backend needs torch and transformers: {INSTALL_HINT}") from None
    return torch, transformers


@contextmanager
def _quiet_hf() -> Iterator[None]:
    """Silence transformers' download/shard progress bars: they would garble our CLI's stderr."""
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


class TransformerNarrativeModel:
    """Multi-label narrative classifier fine-tuned from a local checkpoint (see module docstring).

    Args:
        base_model: folder of a Hugging Face checkpoint (config, weights, tokenizer files).
        max_length: tokens per window, special tokens included.
        pooling: ``"max"`` or ``"mean"`` of the window logits of an article.
        epochs: passes over the training articles.
        batch_size: articles per optimisation step (all their windows go in one forward pass).
        lr: AdamW learning rate, decayed linearly to zero after a 10 % warm-up.
        weight_decay: AdamW weight decay.
        val_size: share of the articles held out for calibration and thresholds.
        prior: expected share of real articles carrying each narrative (see the linear backend).
        seed: seeds torch, the validation split and the order of the training batches.
        device: ``"cpu"``, ``"cuda"``, ...; ``None`` picks CUDA when available.
        inference_batch_size: texts per forward pass when scoring.
    """

    registry_name = REGISTRY_NAME

    def __init__(
        self,
        *,
        base_model: str | None = None,
        max_length: int = 256,
        pooling: str = "max",
        epochs: int = 3,
        batch_size: int = 8,
        lr: float = 5e-5,
        weight_decay: float = 0.01,
        val_size: float = 0.2,
        prior: float | None = 0.15,
        seed: int = 0,
        device: str | None = None,
        inference_batch_size: int = 32,
    ) -> None:
        self.base_model = base_model
        self.max_length = max_length
        self.pooling = pooling
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.val_size = val_size
        self.prior = prior
        self.seed = seed
        self.device = device
        self.inference_batch_size = inference_batch_size

    def get_params(self) -> dict[str, Any]:
        keys = ("base_model", "max_length", "pooling", "epochs", "batch_size", "lr", "weight_decay", "val_size", "prior", "seed", "device", "inference_batch_size")
        return {k: getattr(self, k) for k in keys}

    # -- training ---------------------------------------------------------------------------------

    def fit(self, docs: list[Doc], y: np.ndarray, *, labels: tuple[str, ...] = NARRATIVES) -> TransformerNarrativeModel:
        """Fine-tune on ``docs``, then calibrate and tune thresholds on a validation split.

        Args:
            docs: analysis documents.
            y: 0/1 array of shape (n_docs, n_labels).
            labels: label names, in the column order of ``y``.

        Raises:
            ConfigError: bad parameters or a ``y`` of the wrong shape.
            MissingDependencyError: torch or transformers is not installed.
        """
        self._validate_params()
        y = np.asarray(y, dtype=int)
        if y.ndim != 2 or y.shape[0] != len(docs) or y.shape[1] != len(labels):
            raise ConfigError(f"y must have shape ({len(docs)}, {len(labels)}), got {y.shape}")
        torch, transformers = _import_torch()
        torch.manual_seed(self.seed)
        device = self._device(torch)
        with _quiet_hf():
            tokenizer = transformers.AutoTokenizer.from_pretrained(self.base_model, local_files_only=True)
            model = transformers.AutoModelForSequenceClassification.from_pretrained(
                self.base_model,
                num_labels=len(labels),
                problem_type="multi_label_classification",
                id2label=dict(enumerate(labels)),
                label2id={lab: i for i, lab in enumerate(labels)},
                ignore_mismatched_sizes=True,
                local_files_only=True,
            )
        model.to(device)
        self.tokenizer_ = tokenizer
        self.model_ = model
        self.labels_ = tuple(labels)
        train_idx, val_idx = _val_split(docs, y, val_size=self.val_size, seed=self.seed)
        packed = [self._pack(d) for d in docs]
        windows = [w for w, _ in packed]
        # Annotated sentences (Doc.sentence_y) label each window: the union of its sentences' labels.
        window_y = [_window_labels(docs[i], packed[i][1], len(labels)) for i in train_idx]
        self.train_loss_ = self._finetune(torch, [windows[i] for i in train_idx], y[train_idx], device, window_y=window_y)
        cal_idx = val_idx if val_idx else train_idx
        if not val_idx:
            log.warning("no validation split (val_size=%s, %d articles): calibrating on training data", self.val_size, len(docs))
        logits = self._article_logits([windows[i] for i in cal_idx])
        self.platt_, self.thresholds_ = _calibrate(logits, y[cal_idx], labels, prior=self.prior)
        return self

    def _validate_params(self) -> None:
        if not self.base_model:
            raise ConfigError(f"{REGISTRY_NAME} needs base_model: the folder of a local Hugging Face checkpoint")
        if not Path(self.base_model).is_dir():
            raise ConfigError(f"base_model {self.base_model!r} is not a folder (checkpoints are never downloaded)")
        if self.pooling not in POOLINGS:
            raise ConfigError(value_invalid_msg("pooling", self.pooling, POOLINGS))
        if self.max_length < 8 or self.epochs < 0 or self.batch_size < 1 or not 0.0 <= self.val_size < 1.0:
            raise ConfigError(f"invalid training parameters: {self.get_params()}")

    def _finetune(self, torch: Any, windows: list[list[str]], y: np.ndarray, device: str, *, window_y: list[np.ndarray | None] | None = None) -> list[float]:
        """AdamW over article batches; returns the mean loss of each epoch.

        The loss is on the pooled article logits, plus, for articles annotated sentence by
        sentence, on each window's own logits against ``window_y`` (the window is then supervised
        directly instead of only through the pooling).
        """
        model = self.model_
        n = len(windows)
        steps = max(1, self.epochs * -(-n // self.batch_size))
        warmup = max(1, steps // 10)
        opt = torch.optim.AdamW(model.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup))))
        loss_fn = torch.nn.BCEWithLogitsLoss()
        rng = np.random.default_rng(self.seed)
        target = torch.tensor(y, dtype=torch.float32)
        history = []
        model.train()
        for epoch in range(self.epochs):
            order = rng.permutation(n)
            losses = []
            for start in range(0, n, self.batch_size):
                batch = order[start : start + self.batch_size].tolist()
                pooled, flat = self._forward_pooled(torch, [windows[i] for i in batch], device)
                loss = loss_fn(pooled, target[batch].to(device))
                rows, wanted, offset = [], [], 0
                for i in batch:
                    wy = window_y[i] if window_y is not None else None
                    if wy is not None:
                        rows.extend(range(offset, offset + len(windows[i])))
                        wanted.append(wy)
                    offset += len(windows[i])
                if rows:
                    loss = loss + loss_fn(flat[rows], torch.tensor(np.vstack(wanted), dtype=torch.float32, device=device))
                opt.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                opt.step()
                sched.step()
                losses.append(float(loss.detach()))
            history.append(round(float(np.mean(losses)), 6) if losses else 0.0)
            log.info("epoch %d/%d: loss %.4f", epoch + 1, self.epochs, history[-1])
        model.eval()
        return history

    def _forward_pooled(self, torch: Any, windows: list[list[str]], device: str) -> tuple[Any, Any]:
        """Pooled logits (n_articles, n_labels) of a batch of articles and the window logits, with gradients."""
        flat = [w for ws in windows for w in ws]
        enc = self.tokenizer_(flat, truncation=True, max_length=self.max_length, padding=True, return_tensors="pt").to(device)
        logits = self.model_(**enc).logits
        out, start = [], 0
        for ws in windows:
            part = logits[start : start + len(ws)]
            out.append(part.max(dim=0).values if self.pooling == "max" else part.mean(dim=0))
            start += len(ws)
        return torch.stack(out), logits

    # -- windows ----------------------------------------------------------------------------------

    def _windows(self, doc: Doc) -> list[str]:
        """Consecutive sentences packed into texts of at most ``max_length`` tokens."""
        return self._pack(doc)[0]

    def _pack(self, doc: Doc) -> tuple[list[str], list[list[int]]]:
        """The windows of :meth:`_windows` and, for each, the indices of its sentences in ``doc``."""
        kept = [i for i, s in enumerate(doc.sentences) if s.strip()]
        sentences = [doc.sentences[i] for i in kept]
        if not sentences:
            return [""], [[]]
        budget = self.max_length - self.tokenizer_.num_special_tokens_to_add()
        lengths = [len(ids) for ids in self.tokenizer_(sentences, add_special_tokens=False)["input_ids"]]
        joiner = " " if doc.lang == "en" else ""
        windows: list[str] = []
        members: list[list[int]] = []
        current: list[str] = []
        ids: list[int] = []
        used = 0
        for k, sent, n in zip(kept, sentences, lengths, strict=True):
            if current and used + n > budget:
                windows.append(joiner.join(current))
                members.append(ids)
                current, ids, used = [], [], 0
            current.append(sent)  # a sentence longer than the budget is truncated on its own
            ids.append(k)
            used += n
        windows.append(joiner.join(current))
        members.append(ids)
        return windows, members

    # -- inference --------------------------------------------------------------------------------

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted yet; call fit() or load()")

    def _logits(self, texts: list[str]) -> np.ndarray:
        """Raw logits (n_texts, n_labels), batched by similar length to limit padding."""
        torch, _ = _import_torch()
        out = np.zeros((len(texts), len(self.labels_)))
        if not texts:
            return out
        device = next(self.model_.parameters()).device
        order = sorted(range(len(texts)), key=lambda i: (len(texts[i]), i))
        with torch.inference_mode():
            for start in range(0, len(order), self.inference_batch_size):
                idx = order[start : start + self.inference_batch_size]
                enc = self.tokenizer_([texts[i] for i in idx], truncation=True, max_length=self.max_length, padding=True, return_tensors="pt").to(device)
                out[idx] = self.model_(**enc).logits.float().cpu().numpy()
        return out

    def _article_logits(self, windows: list[list[str]]) -> np.ndarray:
        flat = [w for ws in windows for w in ws]
        logits = self._logits(flat)
        pooled = np.zeros((len(windows), len(self.labels_)))
        start = 0
        for i, ws in enumerate(windows):
            part = logits[start : start + len(ws)]
            pooled[i] = part.max(axis=0) if self.pooling == "max" else part.mean(axis=0)
            start += len(ws)
        return pooled

    def _calibrated(self, logits: np.ndarray) -> np.ndarray:
        return sigmoid(logits * self.platt_[:, 0] + self.platt_[:, 1])

    def predict(self, docs: list[Doc]) -> list[Prediction]:
        """Article and sentence probabilities for each document."""
        self._check_fitted()
        windows = [self._windows(d) for d in docs]
        articles = self._calibrated(self._article_logits(windows))
        sentences = [s for d in docs for s in d.sentences]
        sent_probs = self._calibrated(self._logits(sentences))
        out = []
        start = 0
        for i, doc in enumerate(docs):
            n = len(doc.sentences)
            scores = {lab: float(articles[i, j]) for j, lab in enumerate(self.labels_)}
            out.append(Prediction(scores, sent_probs[start : start + n].reshape(n, len(self.labels_)), self.labels_))
            start += n
        return out

    def decision_function(self, docs: list[Doc]) -> np.ndarray:
        """Uncalibrated pooled article logits, shape (n_docs, n_labels)."""
        self._check_fitted()
        return self._article_logits([self._windows(d) for d in docs])

    def _device(self, torch: Any) -> str:
        if self.device:
            return self.device
        return "cuda" if torch.cuda.is_available() else "cpu"

    # -- persistence ------------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write ``hf/`` (safetensors weights, HF config, tokenizer files) and ``transformer.json``."""
        self._check_fitted()
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        with _quiet_hf():
            self.model_.save_pretrained(path / HF_DIR, safe_serialization=True)
            self.tokenizer_.save_pretrained(path / HF_DIR)
        state = {
            "labels": list(self.labels_),
            "thresholds": self.thresholds_,
            "platt": self.platt_.tolist(),
            "train_loss": getattr(self, "train_loss_", []),
            "params": self.get_params(),
        }
        (path / "transformer.json").write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> TransformerNarrativeModel:
        """Load a folder written by :meth:`save` onto CUDA when available, else the CPU."""
        path = Path(path)
        try:
            state = json.loads((path / "transformer.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"cannot load a {REGISTRY_NAME} model from {path}: {exc}") from exc
        torch, transformers = _import_torch()
        self = cls(**state.get("params", {}))
        try:
            with _quiet_hf():
                self.tokenizer_ = transformers.AutoTokenizer.from_pretrained(path / HF_DIR, local_files_only=True)
                self.model_ = transformers.AutoModelForSequenceClassification.from_pretrained(path / HF_DIR, local_files_only=True)
        except OSError as exc:
            raise ModelLoadError(f"cannot load the {REGISTRY_NAME} weights in {path / HF_DIR}: {exc}") from exc
        self.model_.to(self._device(torch))
        self.model_.eval()
        self.labels_ = tuple(state["labels"])
        self.thresholds_ = {k: float(v) for k, v in state["thresholds"].items()}
        self.platt_ = np.asarray(state["platt"], dtype=float).reshape(len(self.labels_), 2)
        self.train_loss_ = list(state.get("train_loss", []))
        return self


def _window_labels(doc: Doc, members: list[list[int]], n_labels: int) -> np.ndarray | None:
    """0/1 labels (n_windows, n_labels) from the doc's sentence labels; ``None`` without them."""
    if doc.sentence_y is None:
        return None
    sy = np.asarray(doc.sentence_y, dtype=np.float32).reshape(-1, n_labels)
    return np.array([sy[ids].max(axis=0) if ids else np.zeros(n_labels, dtype=np.float32) for ids in members], dtype=np.float32)


def _val_split(docs: Sequence[Doc], y: np.ndarray, *, val_size: float, seed: int) -> tuple[list[int], list[int]]:
    """Stratified (language, label combination) train/validation indices, deterministic in ``seed``."""
    keys = [f"{doc.lang}|{''.join(map(str, row))}" for doc, row in zip(docs, y, strict=True)]
    return stratified_split(keys, test_size=val_size, seed=seed)


def _calibrate(logits: np.ndarray, y: np.ndarray, labels: Sequence[str], *, prior: float | None) -> tuple[np.ndarray, dict[str, float]]:
    """Per-label Platt parameters ``(a, b)`` and F1-optimal thresholds on held-out logits."""
    from sklearn.linear_model import LogisticRegression

    platt = np.tile([1.0, 0.0], (len(labels), 1))
    thresholds: dict[str, float] = {}
    for j, label in enumerate(labels):
        col = y[:, j]
        if col.min() == col.max():  # one class only: nothing to fit, keep the raw sigmoid
            log.warning("validation split has a single class for %s; calibration skipped", label)
            thresholds[label] = 0.5
            continue
        w = prior_weights(col, prior)
        cal = LogisticRegression(C=1e4, max_iter=5000).fit(logits[:, j].reshape(-1, 1), col, sample_weight=w)
        platt[j] = (cal.coef_[0, 0], cal.intercept_[0])
        thresholds[label] = best_threshold(sigmoid(platt[j, 0] * logits[:, j] + platt[j, 1]), col, w)
    return platt, thresholds
