"""The index's tables: :class:`IndexResult`, and how it is written to and read from disk.

Parquet or CSV by extension, the index in one file and each companion table beside it
(:func:`companion_paths`), every file written atomically.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlp.errors import ConfigError, InputError

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, slots=True)
class IndexResult:
    """The index and its companion tables (all pandas DataFrames, long format).

    Attributes:
        index: period, narrative, n_articles, n_labelled, share, intensity, [scaled], z, ewma.
        by_lang: period, lang, narrative, n_articles, n_labelled, share.
        by_source: period, source, narrative, n_articles, n_labelled, share.
        tickers: ticker, period, narrative (a narrative or ``all``), n_articles.
        novelty: id, cluster, published (UTC), novel, counted: one row per member of a
            multi-article cluster (every other article is novel and counted).
        meta: freq, tz, window, span, per_source_scaling, record counts.
    """

    index: pd.DataFrame
    by_lang: pd.DataFrame
    by_source: pd.DataFrame
    tickers: pd.DataFrame
    novelty: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise ConfigError(f"output {path} must end in .parquet or .csv")
    return suffix


def companion_paths(out: str | Path) -> dict[str, Path]:
    """Where :func:`write_index` puts each table: ``out`` for the index, and beside it
    ``<stem>.tickers<ext>``, ``<stem>.by_lang<ext>``, ``<stem>.by_source<ext>``,
    ``<stem>.novelty<ext>`` and ``<stem>.meta.json``."""
    out = Path(out)
    suffix = _suffix(out)
    stem = out.with_suffix("")
    paths = {"index": out}
    for name in ("tickers", "by_lang", "by_source", "novelty"):
        paths[name] = stem.with_name(f"{stem.name}.{name}{suffix}")
    paths["meta"] = stem.with_name(f"{stem.name}.meta.json")
    return paths


def write_frame(df: pd.DataFrame, path: str | Path) -> None:
    """Write a DataFrame as Parquet or CSV (by extension) atomically: temp file, then rename."""
    from nlp.files import atomic_writer

    path = Path(path)
    if _suffix(path) == ".parquet":
        with atomic_writer(path, mode="wb") as fh:
            df.to_parquet(fh, index=False)
    else:
        with atomic_writer(path, mode="w") as fh:
            df.to_csv(fh, index=False, lineterminator="\n")


def read_frame(path: str | Path) -> pd.DataFrame:
    """Read a table written by :func:`write_frame` (dates come back as dates)."""
    import pandas as pd

    path = Path(path)
    if not path.exists():
        raise InputError(f"{path} does not exist")
    df = pd.read_parquet(path) if _suffix(path) == ".parquet" else pd.read_csv(path)
    for col in ("period", "session"):
        if col in df.columns:
            df[col] = pd.to_datetime(df[col])
    return df


def write_index(result: IndexResult, out: str | Path) -> dict[str, Path]:
    """Write the index and its companion tables (see :func:`companion_paths`)."""
    from nlp.files import atomic_writer

    paths = companion_paths(out)
    write_frame(result.index, paths["index"])
    for name in ("tickers", "by_lang", "by_source", "novelty"):
        write_frame(getattr(result, name), paths[name])
    with atomic_writer(paths["meta"]) as fh:
        json.dump(result.meta, fh, ensure_ascii=False, indent=2, default=str)
    return paths


def read_index(path: str | Path) -> IndexResult:
    """Read an index written by :func:`write_index` (missing companions come back empty)."""
    import pandas as pd

    paths = companion_paths(path)
    tables = {"index": read_frame(paths["index"])}
    for name in ("tickers", "by_lang", "by_source", "novelty"):
        tables[name] = read_frame(paths[name]) if paths[name].exists() else pd.DataFrame()
    meta = json.loads(paths["meta"].read_text(encoding="utf-8")) if paths["meta"].exists() else {}
    meta.setdefault("freq", "D")
    meta.setdefault("tz", "UTC")
    return IndexResult(meta=meta, **tables)
