"""The pipeline object: normalise, classify, extract; one scored record per article."""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlp.about import DEFAULT_MODEL
from nlp.classify.artifacts import load_model
from nlp.classify.base import Doc
from nlp.classify.evidence import evidence_and_intensity
from nlp.errors import NlpError, TextTooComplexError
from nlp.paths import MODELS
from nlp.records import Article, Field, RecordError, ScoredArticle, Sentence
from nlp.text.normalize import NormalizedText, normalize
from nlp.text.script import detect_lang
from nlp.text.segment import split_sentences

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Prepared:
    """An article after normalisation: its fields, sentences and the classifier's view."""

    article: Article
    docs: dict[Field, NormalizedText]
    sentences: tuple[Sentence, ...]
    doc: Doc


def prepare(article: Article) -> Prepared | RecordError:
    """Normalise title and text, detect the language and split sentences.

    Returns a :class:`RecordError` when the text is empty after cleaning, or holds more markup
    than one record may (:data:`nlp.text.normalize.MAX_MARKUP_TOKENS`).
    """
    try:
        text_doc = normalize(article.text, lang=article.lang or "en")
        title_doc = normalize(article.title, lang=article.lang or "en") if article.title else None
    except TextTooComplexError as exc:
        return RecordError(article.line, str(exc), article.id, article.path)
    if not text_doc.text.strip():
        return RecordError(article.line, "text is empty after cleaning", article.id, article.path)
    lang = article.lang
    if lang is None:
        if title_doc is None:
            lang = detect_lang(text_doc.clean, simplified=text_doc.text)
        else:
            lang = detect_lang(f"{title_doc.clean}\n{text_doc.clean}", simplified=f"{title_doc.text}\n{text_doc.text}")
    docs: dict[Field, NormalizedText] = {"text": _with_lang(text_doc, lang)}
    sentences: list[Sentence] = []
    if title_doc is not None and title_doc.text.strip():
        docs["title"] = _with_lang(title_doc, lang)
        sentences.extend(split_sentences(title_doc.text, field="title"))
    n_title = len(sentences)
    sentences.extend(split_sentences(text_doc.text, field="text"))
    doc = Doc(tuple(docs[s.field].text[s.start : s.end] for s in sentences), lang, n_title)
    return Prepared(article, docs, tuple(sentences), doc)


def _with_lang(doc: NormalizedText, lang: Any) -> NormalizedText:
    if doc.lang == lang:
        return doc
    return NormalizedText(doc.original, doc.clean, doc.text, doc.offsets, lang)


class Pipeline:
    """Scores articles: ``Pipeline.load()(article) -> ScoredArticle``.

    Args:
        model: a fitted backend (see :mod:`nlp.classify.registry`).
        meta: the model's ``meta.json`` (its ``name`` goes into every record's ``model`` field).
        extract: whether to fill ``tickers``, ``indices`` and ``figures``.
    """

    def __init__(self, model: Any, meta: dict[str, Any], *, extract: bool = True) -> None:
        self.model = model
        self.meta = meta
        self.extract = extract
        self.model_name = meta.get("name", DEFAULT_MODEL)
        self._tickers = None

    @classmethod
    def load(cls, path: str | Path | None = None, *, extract: bool = True) -> Pipeline:
        """Load the pipeline around a saved model folder (default: the shipped model)."""
        model, meta = load_model(Path(path) if path else MODELS / DEFAULT_MODEL)
        return cls(model, meta, extract=extract)

    # -- one article ----------------------------------------------------------------------------

    def __call__(self, article: Article) -> ScoredArticle:
        """Score one article; raises :class:`NlpError` when it cannot be scored."""
        out = self._score_batch([article])[0]
        if isinstance(out, RecordError):
            raise NlpError(out.reason)
        return out

    def _score_batch(self, articles: list[Article]) -> list[ScoredArticle | RecordError]:
        prepared: list[Prepared | RecordError] = []
        for a in articles:
            try:
                prepared.append(prepare(a))
            except Exception as exc:  # one bad record never stops a batch (SPEC section 1)
                log.exception("cannot normalise %s", a.id)
                prepared.append(RecordError(a.line, f"normalisation failed: {exc}", a.id, a.path))
        ok = [p for p in prepared if isinstance(p, Prepared)]
        preds = iter(self.model.predict([p.doc for p in ok]) if ok else [])
        out: list[ScoredArticle | RecordError] = []
        for p in prepared:
            if isinstance(p, RecordError):
                out.append(p)
                continue
            try:
                out.append(self._assemble(p, next(preds)))
            except Exception as exc:  # noqa: BLE001 - reported as data, the batch goes on
                log.exception("cannot score %s", p.article.id)
                out.append(RecordError(p.article.line, f"scoring failed: {exc}", p.article.id, p.article.path))
        return out

    def _assemble(self, p: Prepared, pred: Any) -> ScoredArticle:
        thresholds = self.model.thresholds_
        labels = [lab for lab in pred.labels if pred.scores[lab] >= thresholds.get(lab, 0.5)]
        evidence, intensity = evidence_and_intensity(pred, p.sentences, p.docs, labels)
        tickers, indices, figures = [], [], []
        if self.extract:
            tickers, indices, figures = self._extract(p)
        a = p.article
        return ScoredArticle(
            id=a.id,
            lang=p.doc.lang,
            published=a.published,
            scores=dict(pred.scores),
            labels=labels,
            intensity=intensity,
            evidence=evidence,
            tickers=tickers,
            indices=indices,
            figures=figures,
            model=self.model_name,
            source=a.source,
            title=a.title,
            url=a.url,
        )

    def _extract(self, p: Prepared) -> tuple[list, list, list]:
        from nlp.extract.figures import extract_figures
        from nlp.extract.tickers import TickerExtractor

        if self._tickers is None:
            self._tickers = TickerExtractor.default()
        title = p.docs.get("title")
        tickers, indices = self._tickers(p.docs["text"], title)
        figures = []
        if title is not None:
            figures.extend(extract_figures(title, field="title"))
        figures.extend(extract_figures(p.docs["text"], field="text"))
        return tickers, indices, figures

    # -- streams --------------------------------------------------------------------------------

    def pipe(
        self,
        items: Iterable[Article | RecordError],
        *,
        batch_size: int = 64,
        n_process: int = 1,
    ) -> Iterator[ScoredArticle | RecordError]:
        """Score a stream lazily, in input order; input errors pass through unchanged.

        With ``n_process > 1`` batches are scored in forked worker processes, at most two
        batches per worker in flight, so memory stays flat however long the stream is.
        """
        batches = _batched(items, batch_size)
        if n_process <= 1:
            for batch in batches:
                yield from self._run_batch(batch)
            return
        yield from self._pipe_parallel(batches, n_process)

    def _run_batch(self, batch: list[Article | RecordError]) -> list[ScoredArticle | RecordError]:
        arts = [x for x in batch if isinstance(x, Article)]
        scored = iter(self._score_batch(arts))
        return [x if isinstance(x, RecordError) else next(scored) for x in batch]

    def _pipe_parallel(self, batches: Iterator[list[Article | RecordError]], n_process: int) -> Iterator[ScoredArticle | RecordError]:
        import multiprocessing as mp

        global _WORKER_PIPELINE
        _WORKER_PIPELINE = self
        if self.extract and self._tickers is None:  # build once in the parent, shared by fork
            from nlp.extract.tickers import TickerExtractor

            self._tickers = TickerExtractor.default()
        ctx = mp.get_context("fork")
        with ctx.Pool(n_process) as pool:
            pending: deque = deque()
            for batch in batches:
                pending.append(pool.apply_async(_worker_run, (batch,)))
                if len(pending) >= 2 * n_process:
                    yield from pending.popleft().get()
            while pending:
                yield from pending.popleft().get()


_WORKER_PIPELINE: Pipeline | None = None


def _worker_run(batch: list[Article | RecordError]) -> list[ScoredArticle | RecordError]:
    assert _WORKER_PIPELINE is not None  # set before the pool forks  # noqa: S101
    return _WORKER_PIPELINE._run_batch(batch)


def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for x in items:
        batch.append(x)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def default_workers() -> int:
    """Worker processes for batch scoring: the machine's cores, at most 8."""
    return max(1, min(8, os.cpu_count() or 1))


def load(path: str | Path | None = None) -> Pipeline:
    """The default pipeline (the shipped model) for casual use: ``nlp.load()(article)``."""
    return Pipeline.load(path)
