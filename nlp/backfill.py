"""Backfills past one machine: score input partitions on dask.distributed into Parquet by date.

The work is cut into *partitions*: each input file (JSONL, CSV, Parquet; a folder expands to the
data files in it) in chunks of ``chunk_size`` records. One Dask task scores one partition with
the same :class:`~nlp.pipeline.Pipeline` as ``narratives score`` and writes, under ``out``:

- ``date=YYYY-MM-DD/<partition>.parquet``: its scored records of that UTC day (layout:
  :mod:`nlp.scored_parquet`), each file written to a temporary name and renamed;
- ``_errors/<partition>.jsonl``: its rejected records, with file, line and reason;
- ``_done/<partition>.json`` last: the done-marker, with the input's size and mtime.

A re-run skips every partition whose done-marker matches its input, so a killed run loses only
the partitions in flight; a partition that is redone replaces its own files (their names are
fixed by the partition), so nothing is counted twice. ``_backfill.json`` records the settings
and the planned partitions; a re-run with other settings is refused rather than mixed in.

Each chunk task reads its file from the start and keeps the records of its slice: the reader
then reports a repeated id across chunks of one file exactly as ``narratives score`` does, at
the cost of re-reading (reading is ~40 times faster than scoring). Ids are not compared across
files while scoring, which would need a pass over all the partitions before any could be
written; after a run, ids found in more than one file are counted and reported instead.

The model loads once per worker process (:func:`worker_pipeline`), not per task. dask and
distributed load only inside :func:`backfill`.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import re
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from nlp.about import __version__
from nlp.errors import ConfigError, InputError, MissingDependencyError
from nlp.files import atomic_writer, dumps_record
from nlp.pipeline import Pipeline, default_workers
from nlp.records import RecordError
from nlp.scored_parquet import PARTITION, partition_day, write_scored_parquet
from nlp.scoring import EXIT_FAILED, EXIT_OK, EXIT_REJECTED
from nlp.text.reader import read_articles

log = logging.getLogger(__name__)

#: Records a partition holds: small enough that a killed run loses little and work spreads over
#: the workers, large enough that a task's overhead (~10 ms) and its files stay few.
DEFAULT_CHUNK_SIZE = 5000
MANIFEST = "_backfill.json"
DONE_DIR, ERRORS_DIR = "_done", "_errors"
DATA_SUFFIXES = (".jsonl", ".ndjson", ".json", ".jsonl.gz", ".csv", ".tsv", ".csv.gz", ".parquet")
DOC_SUFFIXES = (".txt", ".html", ".htm")


@dataclass(frozen=True, slots=True)
class Partition:
    """One unit of work: records ``[start, stop)`` of one input (``stop=None``: to its end)."""

    key: str
    path: str
    start: int
    stop: int | None
    #: The input's size in bytes and mtime: a done-marker counts only while they match.
    size: int
    mtime_ns: int
    #: How many records it holds at most, to hand out the large partitions first.
    estimate: int = 0

    @property
    def source_prefix(self) -> str:
        return self.key.rsplit("-", 1)[0]


@dataclass(slots=True)
class BackfillSummary:
    """What a backfill did; ``scored`` and ``rejected`` count the whole output, skipped included."""

    out: Path
    partitions: int = 0
    skipped: int = 0
    ran: int = 0
    scored: int = 0
    rejected: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    #: Ids found in more than one partition of different inputs (the reader sees one file at a time).
    duplicate_ids: int = 0
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        """0 all scored, 3 some records rejected, 1 a partition failed or nothing was scored."""
        if self.failed or (self.scored == 0 and self.rejected):
            return EXIT_FAILED
        return EXIT_REJECTED if self.rejected else EXIT_OK


# -- planning -------------------------------------------------------------------------------------


def _suffix(p: Path) -> str:
    name = p.name.lower()
    for s in DATA_SUFFIXES:
        if name.endswith(s):
            return s
    return p.suffix.lower()


def expand_inputs(inputs: Iterable[str | Path]) -> list[Path]:
    """The input sources: files as given, folders expanded to their data files (sorted).

    A folder with no data files is one source of ``.txt``/``.html`` documents.

    Raises:
        InputError: stdin (``-``), a missing path, or a file the reader cannot read.
    """
    out: list[Path] = []
    for raw in inputs:
        if str(raw) == "-":
            raise InputError("a backfill reads files: stdin cannot be split or resumed (use `narratives score`)")
        p = Path(raw)
        if not p.exists():
            raise InputError(f"input {p} does not exist")
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file() and _suffix(f) in DATA_SUFFIXES and not f.name.startswith("."))
            if files:
                out.extend(files)
            elif any(f.suffix.lower() in DOC_SUFFIXES for f in p.rglob("*")):
                out.append(p)
            else:
                raise InputError(f"folder {p} holds no .jsonl, .csv, .parquet, .txt or .html files")
        elif _suffix(p) in DATA_SUFFIXES:
            out.append(p)
        else:
            raise InputError(f"cannot backfill {p}: use .jsonl, .csv, .tsv, .parquet or a folder of them")
    return out


def _upper_bound(p: Path) -> int | None:
    """At most how many records a source holds, cheaply; ``None`` when only reading would tell."""
    if p.is_dir():
        return sum(1 for f in p.rglob("*") if f.is_file() and f.suffix.lower() in DOC_SUFFIXES)
    s = _suffix(p)
    if s.endswith(".gz"):
        return None
    if s == ".parquet":
        import pyarrow.parquet as pq

        try:
            return pq.ParquetFile(p).metadata.num_rows
        except Exception as exc:  # pyarrow's own error types
            raise InputError(f"cannot read {p} as Parquet: {exc}") from None
    # One record a line at most (CSV: the header is one of them, a quoted newline makes fewer).
    lines, last = 0, b"\n"
    with p.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


def _fingerprint(p: Path) -> tuple[int, int]:
    if p.is_dir():
        files = [f.stat() for f in p.rglob("*") if f.is_file()]
        return len(files), max((s.st_mtime_ns for s in files), default=0)
    st = p.stat()
    return st.st_size, st.st_mtime_ns


def _source_prefix(p: Path) -> str:
    # A readable name plus a hash of the full path: two `news.jsonl` in different folders differ.
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", p.name)[:60].strip("._") or "input"
    digest = hashlib.sha1(str(p.resolve()).encode("utf-8")).hexdigest()[:10]
    return f"{slug}-{digest}"


def plan_partitions(inputs: Iterable[str | Path], *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> list[Partition]:
    """Cut the inputs into partitions of at most ``chunk_size`` records, in input order."""
    if chunk_size < 1:
        raise ConfigError(f"`chunk_size` = {chunk_size!r} must be >= 1")
    parts: list[Partition] = []
    for p in expand_inputs(inputs):
        bound = _upper_bound(p)
        n = 1 if bound is None else max(1, -(-bound // chunk_size))
        size, mtime = _fingerprint(p)
        prefix = _source_prefix(p)
        for k in range(n):
            stop = None if k == n - 1 else (k + 1) * chunk_size
            est = chunk_size if bound is None else min(chunk_size, bound - k * chunk_size)
            parts.append(Partition(f"{prefix}-{k:05d}", str(p), k * chunk_size, stop, size, mtime, est))
    keys = [x.key for x in parts]
    if len(set(keys)) != len(keys):
        raise InputError("an input is named twice")
    return parts


# -- one partition (runs on a worker) -------------------------------------------------------------

_PIPELINES: dict[tuple[str | None, bool], Pipeline] = {}
_PIPELINES_LOCK = threading.Lock()


def worker_pipeline(model: str | None, extract: bool) -> Pipeline:
    """The pipeline of this process, loaded on its first task and kept for the next ones.

    Workers that are threads of one process share it; the lock keeps two first tasks from
    loading it twice.
    """
    key = (model, extract)
    with _PIPELINES_LOCK:
        pipe = _PIPELINES.get(key)
        if pipe is None:
            pipe = _PIPELINES[key] = Pipeline.load(model, extract=extract)
        return pipe


def _done_path(out: Path, key: str) -> Path:
    return out / DONE_DIR / f"{key}.json"


def _remove_outputs(out: Path, key: str) -> None:
    """Remove what a partition wrote, done-marker first: a crash here leaves it 'not done'."""
    _done_path(out, key).unlink(missing_ok=True)
    for f in out.glob(f"{PARTITION}=*/{key}.parquet"):
        f.unlink(missing_ok=True)
    (out / ERRORS_DIR / f"{key}.jsonl").unlink(missing_ok=True)


def score_partition(part: Partition, out: str | Path, *, model: str | None = None, extract: bool = True, batch_size: int = 64) -> dict[str, Any]:
    """Score one partition into its Parquet files, errors file and done-marker (see the module doc).

    Returns the done-marker's content: counts and the files written.
    """
    out = Path(out)
    _done_path(out, part.key).unlink(missing_ok=True)
    pipeline = worker_pipeline(model, extract)
    by_day: dict[str, list[dict[str, Any]]] = {}
    errors: list[RecordError] = []
    items = itertools.islice(read_articles([part.path]), part.start, part.stop)
    for item in pipeline.pipe(items, batch_size=batch_size):
        if isinstance(item, RecordError):
            errors.append(item)
        else:
            by_day.setdefault(partition_day(item.published), []).append(item.to_dict())
    written = []
    for day in sorted(by_day):
        rel = f"{PARTITION}={day}/{part.key}.parquet"
        write_scored_parquet(by_day[day], out / rel)
        written.append(rel)
    # A previous attempt on a changed input may have written days this one did not.
    keep = set(written)
    for f in out.glob(f"{PARTITION}=*/{part.key}.parquet"):
        if f.relative_to(out).as_posix() not in keep:
            f.unlink(missing_ok=True)
    for f in out.glob(f"{PARTITION}=*/.{part.key}.parquet.*.tmp"):  # left by a killed attempt
        f.unlink(missing_ok=True)
    err_path = out / ERRORS_DIR / f"{part.key}.jsonl"
    if errors:
        with atomic_writer(err_path) as fh:
            for e in errors:
                fh.write(dumps_record(e.to_dict()) + "\n")
    else:
        err_path.unlink(missing_ok=True)
    marker = {
        "partition": asdict(part),
        "scored": sum(len(v) for v in by_day.values()),
        "rejected": len(errors),
        "files": written,
        "errors": f"{ERRORS_DIR}/{part.key}.jsonl" if errors else None,
    }
    with atomic_writer(_done_path(out, part.key)) as fh:
        json.dump(marker, fh, ensure_ascii=False, indent=1)
    return marker


# -- the run --------------------------------------------------------------------------------------


def read_done(out: Path, part: Partition) -> dict[str, Any] | None:
    """A partition's done-marker when it matches the input as it is now, else ``None``."""
    path = _done_path(out, part.key)
    try:
        marker = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    was = marker.get("partition", {})
    if (was.get("size"), was.get("mtime_ns"), was.get("start"), was.get("stop")) != (part.size, part.mtime_ns, part.start, part.stop):
        return None
    if not all((out / f).exists() for f in marker.get("files", [])):
        return None
    return marker


def _settings(model: str | None, extract: bool, chunk_size: int) -> dict[str, Any]:
    return {"model": str(Path(model).resolve()) if model else None, "extract": extract, "chunk_size": chunk_size}


def _check_manifest(out: Path, settings: dict[str, Any], parts: list[Partition]) -> None:
    """Refuse to mix runs of other settings into one folder; record the planned partitions."""
    path = out / MANIFEST
    planned: list[str] = []
    if path.exists():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise InputError(f"{path} is not valid JSON ({exc.msg}); is {out} a backfill folder?") from None
        was = old.get("settings", {})
        if was != settings:
            changed = ", ".join(f"{k}: {was.get(k)!r} -> {v!r}" for k, v in settings.items() if was.get(k) != v)
            raise ConfigError(f"{out} holds a backfill with other settings ({changed}); use a new --out")
        planned = list(old.get("partitions", []))
    planned_set = set(planned)
    planned += [p.key for p in parts if p.key not in planned_set]
    # A source cut into fewer chunks than before (it shrank): its extra chunks are stale output.
    current = {p.key for p in parts}
    prefixes = {p.source_prefix for p in parts}
    stale = [k for k in planned if k not in current and k.rsplit("-", 1)[0] in prefixes]
    for key in stale:
        _remove_outputs(out, key)
    planned = [k for k in planned if k not in stale]
    out.mkdir(parents=True, exist_ok=True)
    with atomic_writer(path) as fh:
        json.dump({"narratives": __version__, "settings": settings, "partitions": planned}, fh, indent=1)


def backfill(
    inputs: Iterable[str | Path],
    out: str | Path,
    *,
    scheduler: str | None = None,
    client: Any = None,
    n_workers: int | None = None,
    processes: bool = True,
    model: str | Path | None = None,
    extract: bool = True,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    batch_size: int = 64,
    progress: bool = False,
    err_stream: IO[str] | None = sys.stderr,
) -> BackfillSummary:
    """Score ``inputs`` on dask.distributed into ``out``, partitioned by day (see the module doc).

    Args:
        inputs: files and folders (JSONL, CSV, TSV, Parquet; ``.gz`` JSONL/CSV).
        out: the output folder; a re-run into it resumes.
        scheduler: address of a running scheduler (``tcp://host:8786``); its workers must see
            ``out`` and the inputs at the same paths, and have this package installed.
        client: an existing ``distributed.Client`` (wins over ``scheduler``).
        n_workers: workers of the local cluster (default: the machine's cores, at most 8).
        processes: local workers as processes (the default) or as threads of this one.
        model: a saved model folder (default: the shipped model).
        progress: show Dask's progress bar (the caller checks that stdout is a terminal).
        err_stream: where failed partitions are reported (``None``: nowhere).

    Returns:
        A :class:`BackfillSummary`; see :attr:`BackfillSummary.exit_code`.
    """
    t0 = time.perf_counter()
    out = Path(out)
    model_str = str(model) if model else None
    parts = plan_partitions(inputs, chunk_size=chunk_size)
    _check_manifest(out, _settings(model_str, extract, chunk_size), parts)
    summary = BackfillSummary(out=out, partitions=len(parts))
    todo = []
    for p in parts:
        marker = read_done(out, p)
        if marker is None:
            todo.append(p)
        else:
            summary.skipped += 1
            summary.scored += int(marker.get("scored", 0))
            summary.rejected += int(marker.get("rejected", 0))
    if todo:
        _run(todo, out, summary, scheduler=scheduler, client=client, n_workers=n_workers, processes=processes,
             model=model_str, extract=extract, batch_size=batch_size, progress=progress, err_stream=err_stream)
        summary.duplicate_ids = count_duplicate_ids(out)
        if summary.duplicate_ids:
            log.warning("%s: %d ids occur in more than one input file; each copy is counted", out, summary.duplicate_ids)
    summary.seconds = time.perf_counter() - t0
    return summary


def _run(todo: list[Partition], out: Path, summary: BackfillSummary, *, scheduler: str | None, client: Any,
         n_workers: int | None, processes: bool, model: str | None, extract: bool, batch_size: int,
         progress: bool, err_stream: IO[str] | None) -> None:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise MissingDependencyError("backfills need Dask: pip install 'narratives[dask]'") from None
    own: list[Any] = []
    # distributed logs each start and stop at INFO through the root logger; keep a run quiet
    # unless the caller asked for INFO (``narratives -v``).
    dlog = logging.getLogger("distributed")
    dlog_level = dlog.level
    if not log.isEnabledFor(logging.INFO):
        dlog.setLevel(logging.WARNING)
    if client is None:
        if scheduler:
            client = Client(scheduler)
        else:
            # One thread a worker: scoring is Python code, so threads would share one core (GIL).
            cluster = LocalCluster(n_workers=n_workers or default_workers(), threads_per_worker=1,
                                   processes=processes, dashboard_address=None)
            own.append(cluster)
            client = Client(cluster)
        own.insert(0, client)
    try:
        # Largest first, so that no big partition starts last while the other workers idle.
        order = sorted(todo, key=lambda p: -p.estimate)
        futures = [client.submit(score_partition, p, str(out), model=model, extract=extract, batch_size=batch_size,
                                 key=f"narratives-backfill-{p.key}", pure=False, priority=len(order) - i)
                   for i, p in enumerate(order)]
        if progress:
            from distributed import progress as dask_progress

            if getattr(client, "dashboard_link", None) and scheduler:
                print(f"dashboard: {client.dashboard_link}", file=sys.stderr)
            dask_progress(futures)
        for fut in as_completed(futures):
            try:
                marker = fut.result()
            except Exception as exc:  # one broken partition never stops the others
                key = fut.key.removeprefix("narratives-backfill-") if isinstance(fut.key, str) else str(fut.key)
                summary.failed.append((key, f"{type(exc).__name__}: {exc}"))
                if err_stream is not None:
                    print(f"partition {key} failed: {type(exc).__name__}: {exc}", file=err_stream)
                continue
            summary.ran += 1
            summary.scored += int(marker["scored"])
            summary.rejected += int(marker["rejected"])
    finally:
        for thing in own:
            thing.close()
        dlog.setLevel(dlog_level)


def count_duplicate_ids(out: str | Path) -> int:
    """How many ids occur more than once in a backfill folder (reads the ``id`` column only)."""
    import pyarrow.parquet as pq

    from nlp.scored_parquet import scored_parquet_files

    seen: set[str] = set()
    dup: set[str] = set()
    for f in scored_parquet_files(out) if Path(out).is_dir() else []:
        for i in pq.read_table(f, columns=["id"]).column("id").to_pylist():
            if i in seen:
                dup.add(i)
            seen.add(i)
    return len(dup)


def read_errors(out: str | Path) -> Iterator[dict[str, Any]]:
    """Every rejected record of a backfill folder (path, line, id, reason), partition by partition."""
    root = Path(out) / ERRORS_DIR
    for f in sorted(root.glob("*.jsonl")) if root.is_dir() else []:
        with f.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield json.loads(line)

