"""Scored records (SPEC section 2) as Parquet: one table layout, written by backfills, read by the index.

A scored record is nested, and its nested parts differ from record to record (a ``field`` key
only on title spans, ``value_max`` only on ranges). The layout keeps what a researcher filters
on as typed columns and the nested parts as the JSON text of the JSONL record, so that a record
read back is *equal* to the one written, key for key, and ``narratives index`` gives the same
result on Parquet as on JSONL:

========================================  =================================================
column                                     type
========================================  =================================================
``id``, ``lang``, ``published``,           string (``published`` is the record's ISO text,
``source``, ``title``, ``url``, ``model``  so its UTC offset survives)
``scores``, ``intensity``                  map<string, double>
``labels``                                 list<string>
``evidence``, ``tickers``, ``indices``,    string: the JSON of that field
``figures``
========================================  =================================================

A backfill's output folder is hive-partitioned by the UTC calendar day of ``published``
(``date=2026-02-05/``, undated records under ``date=undated/``); files and folders whose names
start with ``.`` or ``_`` (temporary files, done-markers, errors) are not data.

pyarrow loads on first use, like pandas in the index.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nlp.errors import InputError, MissingDependencyError
from nlp.files import atomic_writer, dumps_record

log = logging.getLogger(__name__)

#: The partition column of a backfill's output folder.
PARTITION = "date"
UNDATED = "undated"
STRING_COLUMNS = ("id", "lang", "published", "source", "title", "url")
MAP_COLUMNS = ("scores", "intensity")
JSON_COLUMNS = ("evidence", "tickers", "indices", "figures")
#: Key order of :meth:`nlp.records.ScoredArticle.to_dict`, which a record read back keeps.
RECORD_KEYS = (*STRING_COLUMNS, "scores", "labels", "intensity", *JSON_COLUMNS, "model")


def _pa() -> Any:
    try:
        import pyarrow as pa
    except ImportError:
        raise MissingDependencyError("Parquet needs pyarrow: pip install 'narratives[dask]'") from None
    return pa


def schema() -> Any:
    """The pyarrow schema of a scored-records file (see the module docstring)."""
    pa = _pa()
    fields = [pa.field(c, pa.string()) for c in STRING_COLUMNS]
    fields += [
        pa.field("scores", pa.map_(pa.string(), pa.float64())),
        pa.field("labels", pa.list_(pa.string())),
        pa.field("intensity", pa.map_(pa.string(), pa.float64())),
    ]
    fields += [pa.field(c, pa.string()) for c in JSON_COLUMNS]
    fields.append(pa.field("model", pa.string()))
    return pa.schema(fields)


def partition_day(published: datetime | None) -> str:
    """The partition a record goes to: the UTC calendar day of ``published`` (naive is UTC)."""
    if published is None:
        return UNDATED
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    return published.astimezone(UTC).date().isoformat()


def records_to_table(records: Iterable[Mapping[str, Any]]) -> Any:
    """A pyarrow table of scored-record mappings (``ScoredArticle.to_dict()``), in the given order."""
    pa = _pa()
    cols: dict[str, list[Any]] = {c: [] for c in RECORD_KEYS}
    for rec in records:
        for c in STRING_COLUMNS:
            cols[c].append(rec.get(c))
        for c in MAP_COLUMNS:
            cols[c].append(list((rec.get(c) or {}).items()))
        cols["labels"].append(list(rec.get("labels") or []))
        for c in JSON_COLUMNS:
            cols[c].append(dumps_record(rec.get(c) or ({} if c == "evidence" else [])))
        cols["model"].append(rec.get("model"))
    return pa.Table.from_pydict(cols, schema=schema())


def _rows_to_records(table: Any) -> Iterator[dict[str, Any]]:
    for row in table.to_pylist():
        rec: dict[str, Any] = {}
        for key in RECORD_KEYS:
            value = row.get(key)
            if key in MAP_COLUMNS:
                value = dict(value or ())
            elif key == "labels":
                value = list(value or ())
            elif key in JSON_COLUMNS:
                value = json.loads(value) if value else ({} if key == "evidence" else [])
            rec[key] = value
        yield rec


def write_scored_parquet(records: Iterable[Mapping[str, Any]], path: str | Path) -> Path:
    """Write scored records to one Parquet file atomically (temporary file, then rename)."""
    import pyarrow.parquet as pq

    table = records_to_table(records)
    with atomic_writer(path, mode="wb") as fh:
        pq.write_table(table, fh, compression="zstd")
    return Path(path)


def scored_parquet_files(root: str | Path) -> list[Path]:
    """The data files of a scored-records folder, in a fixed order (partition, then file name).

    Names starting with ``.`` or ``_`` are skipped at every level, as pyarrow's dataset discovery
    does: they are temporary files, done-markers and errors files.
    """
    root = Path(root)
    if root.is_file():
        return [root]
    out = []
    for p in root.rglob("*.parquet"):
        parts = p.relative_to(root).parts
        if not any(part.startswith((".", "_")) for part in parts):
            out.append(p)
    return sorted(out, key=lambda p: p.relative_to(root).parts)


def read_scored_parquet(path: str | Path, *, stats: dict[str, int] | None = None) -> Iterator[dict[str, Any]]:
    """Stream scored records from a Parquet file or a backfill's output folder (a batch at a time).

    The records are those a JSONL file of the same run holds, ordered by partition and file.
    ``stats["files"]`` counts the files read.

    Raises:
        InputError: the path does not exist or holds no Parquet file.
    """
    import pyarrow.parquet as pq

    path = Path(path)
    if not path.exists():
        raise InputError(f"scored data {path} does not exist")
    files = scored_parquet_files(path)
    if not files:
        raise InputError(f"{path} holds no Parquet files of scored records")
    _warn_if_incomplete(path)
    for f in files:
        try:
            pf = pq.ParquetFile(f)
        except Exception as exc:  # pyarrow's own error types: a file that is not Parquet
            raise InputError(f"cannot read {f} as Parquet: {exc}") from None
        missing = set(RECORD_KEYS) - set(pf.schema_arrow.names)
        if missing:
            raise InputError(f"{f} is not a scored-records file: no column {sorted(missing)}")
        if stats is not None:
            stats["files"] = stats.get("files", 0) + 1
        for batch in pf.iter_batches(batch_size=4096, columns=list(RECORD_KEYS)):
            yield from _rows_to_records(batch)


def _warn_if_incomplete(root: Path) -> None:
    """A backfill still running or killed leaves fewer done-markers than planned partitions."""
    manifest = root / "_backfill.json" if root.is_dir() else None
    if manifest is None or not manifest.exists():
        return
    try:
        planned = json.loads(manifest.read_text(encoding="utf-8")).get("partitions", [])
    except (OSError, json.JSONDecodeError):
        return
    done = {p.stem for p in (root / "_done").glob("*.json")}
    left = [k for k in planned if k not in done]
    if left:
        log.warning("%s: backfill incomplete, %d of %d partitions not done; re-run it to finish", root, len(left), len(planned))
