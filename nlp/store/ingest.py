"""Scoring into the store: read, score with a :class:`~nlp.pipeline.Pipeline`, stage in chunks, swap in.

The run protocol (and why a crash never shows a half-written run) is described in
:mod:`nlp.store.store`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from nlp.records import Article, RecordError, ScoredArticle
from nlp.store.store import RunSummary, Store, content_hash

if TYPE_CHECKING:
    from nlp.pipeline import Pipeline

log = logging.getLogger(__name__)

#: Articles per staged chunk: one short write transaction each.
CHUNK_SIZE = 500


def ingest(
    items: Iterable[Article | RecordError],
    *,
    store: Store,
    pipeline: Pipeline,
    inputs: Sequence[str | Path] = (),
    chunk_size: int = CHUNK_SIZE,
    n_process: int = 1,
    progress: Callable[[RunSummary], None] | None = None,
) -> RunSummary:
    """Score ``items`` and store them as one run; returns the run once it is ``done``.

    Runs left ``running`` by a dead process are first marked ``failed`` and their staged rows
    dropped (:meth:`~nlp.store.Store.reap_stale_runs`).

    Rejected records are counted and kept (the first ones) in the run row. If anything raises, the
    run is marked ``failed`` and its staged chunks are dropped before the error propagates.
    """
    hashes: dict[str, str] = {}

    def tracked() -> Iterable[Article | RecordError]:
        for it in items:
            if isinstance(it, Article):
                hashes[it.id] = content_hash(it)
            yield it

    store.reap_stale_runs()  # runs of killed processes are failed and swept before this one starts
    run = store.start_run(model=pipeline.model_name, inputs=[str(p) for p in inputs])
    try:
        chunk: list[tuple[ScoredArticle, str] | RecordError] = []
        for out in pipeline.pipe(tracked(), n_process=n_process):
            # Errors keep their hash entry: a duplicate-id error must not drop the first copy's.
            chunk.append(out if isinstance(out, RecordError) else (out, hashes.pop(out.id)))
            if len(chunk) >= chunk_size:
                store.stage(run, chunk)
                chunk = []
                if progress is not None:
                    progress(run)
        if chunk:
            store.stage(run, chunk)
        return store.finish_run(run)
    except BaseException as exc:  # KeyboardInterrupt too: the run must not stay "running"
        _fail_quietly(store, run, f"{type(exc).__name__}: {exc}")
        raise


def store_scored(
    store: Store,
    pairs: Sequence[tuple[ScoredArticle, Article]],
    *,
    model: str,
    errors: Sequence[RecordError] = (),
    inputs: Sequence[str] = ("api",),
) -> RunSummary:
    """Store records that are already scored (each beside its input article) as one small run."""
    store.reap_stale_runs()
    run = store.start_run(model=model, inputs=inputs)
    try:
        store.stage(run, [*((rec, content_hash(art)) for rec, art in pairs), *errors])
        return store.finish_run(run)
    except BaseException as exc:
        _fail_quietly(store, run, f"{type(exc).__name__}: {exc}")
        raise


def _fail_quietly(store: Store, run: RunSummary, message: str) -> None:
    try:
        store.fail_run(run, message)
    except Exception:  # the original error matters more; a stale run is reaped later
        log.exception("could not mark run %s failed", run.run_id)
