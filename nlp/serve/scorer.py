"""The pipeline behind ``POST /v1/score``: loaded on first use, shared by the app's threads."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from nlp.records import Article, RecordError


class Scorer:
    """The pipeline, loaded on the first POST (reads never pay for it) and used by one thread at a time."""

    def __init__(self, model_dir: str | Path | None, *, extract: bool) -> None:
        self.model_dir = model_dir
        self.extract = extract
        self._pipeline: Any = None
        self._lock = threading.Lock()

    def pipeline(self) -> Any:
        """The loaded :class:`~nlp.pipeline.Pipeline` (loading it on the first call)."""
        with self._lock:
            if self._pipeline is None:
                from nlp.pipeline import Pipeline

                self._pipeline = Pipeline.load(self.model_dir, extract=self.extract)
            return self._pipeline

    def score(self, articles: list[Article], errors: list[RecordError]) -> list[tuple[Any, Article]]:
        """``(scored record, article)`` pairs; articles that fail are appended to ``errors``."""
        pipe = self.pipeline()
        with self._lock:
            out = list(pipe.pipe(articles)) if articles else []
        pairs = []
        for art, rec in zip(articles, out, strict=True):
            if isinstance(rec, RecordError):
                errors.append(rec)
            else:
                pairs.append((rec, art))
        return pairs
