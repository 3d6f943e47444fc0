"""The narrative index (SPEC section 6): per narrative and period, how much of the news carries it.

Scored records (SPEC section 2) stream through :class:`~nlp.index.accumulator.IndexAccumulator`,
which keeps only counters per (period, source, lang) and per (ticker, period, narrative), so a
million records fit in tens of megabytes; the series are built from the counters at the end
(:func:`frames_from_accumulator`, with the numbers of :mod:`nlp.index.stats`). Syndicated copies
count once: one article per cluster (from a record's ``cluster`` field or a ``clusters`` map, see
:mod:`nlp.index.dedup`), the cluster's earliest copy.

Definitions (each period is a calendar day, ISO week starting Monday, or month in ``tz``):

- ``n_articles``: distinct stories in the period; ``n_labelled``: those carrying the narrative;
- ``share`` = n_labelled / n_articles (the article-share method of news-based indices);
- ``intensity``: mean article intensity over all the period's stories (0 where absent);
- ``z``: (x_t - mean) / std of x over the ``window`` periods *before* t (at least ``min_periods`` of
  them), so that a spike does not dampen itself; x is ``share``, or ``scaled`` with per-source
  scaling;
- ``ewma``: exponentially weighted mean of x with ``span`` periods;
- ``scaled`` (``per_source_scaling=True``): each outlet's share divided by its own standard deviation
  over the reference window, averaged over the outlets present in the period, then normalised to
  mean 100 over the reference window (Baker, Bloom & Davis 2016). A high-volume outlet then weighs
  as much as any other instead of setting the pooled share alone.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from nlp.errors import ConfigError, InputError
from nlp.index.accumulator import IndexAccumulator
from nlp.index.stats import ewma, per_source_scaled, trailing_z
from nlp.index.tables import IndexResult
from nlp.records import NARRATIVES

log = logging.getLogger(__name__)

DEFAULT_WINDOW = 20
DEFAULT_MIN_PERIODS = 5
DEFAULT_SPAN = 7


def read_scored(paths: Iterable[str | Path], *, stats: dict[str, int] | None = None) -> Iterator[dict[str, Any]]:
    """Stream scored records from JSONL files (``-`` is stdin), Parquet files, or the output
    folders of ``narratives backfill``; malformed JSONL lines are counted in ``stats["bad"]`` and
    skipped with a warning.

    A Parquet record is equal to its JSONL twin (:mod:`nlp.scored_parquet`), so the index is the
    same whichever a run wrote.

    Raises:
        InputError: a path does not exist.
    """
    import sys

    for raw in paths:
        path = str(raw)
        if path != "-" and not Path(path).exists():
            raise InputError(f"scored file {path} does not exist")
        if path != "-" and (Path(path).is_dir() or path.lower().endswith(".parquet")):
            from nlp.scored_parquet import read_scored_parquet

            yield from read_scored_parquet(path, stats=stats)
            continue
        fh = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
        try:
            for line_no, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as exc:
                    rec = None
                    log.warning("%s:%d: malformed JSON (%s)", path, line_no, exc.msg)
                if not isinstance(rec, dict):
                    if stats is not None:
                        stats["bad"] = stats.get("bad", 0) + 1
                    continue
                yield rec
        finally:
            if fh is not sys.stdin:
                fh.close()


def build_index(
    records: Iterable[Mapping[str, Any]],
    *,
    freq: str = "D",
    tz: str = "UTC",
    window: int = DEFAULT_WINDOW,
    min_periods: int = DEFAULT_MIN_PERIODS,
    span: int = DEFAULT_SPAN,
    per_source_scaling: bool = False,
    reference: tuple[str | date, str | date] | None = None,
    clusters: Mapping[str, str] | None = None,
    narratives: tuple[str, ...] = NARRATIVES,
) -> IndexResult:
    """Build the narrative index from scored records (streamed; see the module docstring).

    Args:
        records: SPEC section 2 mappings (e.g. from :func:`read_scored`).
        freq: ``D`` (days), ``W`` (weeks from Monday) or ``M`` (months).
        tz: the timezone whose calendar days make the periods.
        window: trailing periods for ``z``; ``min_periods`` of them must have articles.
        span: EWMA span in periods.
        per_source_scaling: add ``scaled`` and base ``z``/``ewma`` on it.
        reference: first and last period of the reference window for scaling (default: all).
        clusters: ``{id: cluster id}`` from :func:`nlp.index.dedup.assign_clusters`.

    Returns:
        An :class:`~nlp.index.tables.IndexResult`.

    Examples:
        >>> recs = [{"id": "a", "published": "2026-02-02T09:00:00+00:00", "labels": ["ai_disruption"],
        ...          "intensity": {"ai_disruption": 0.5}},
        ...         {"id": "b", "published": "2026-02-02T10:00:00+00:00", "labels": []}]
        >>> r = build_index(recs)
        >>> row = r.index[r.index.narrative == "ai_disruption"].iloc[0]
        >>> (int(row.n_articles), int(row.n_labelled), float(row.share), float(row.intensity))
        (2, 1, 0.5, 0.25)
    """
    if window < 2 or min_periods < 2 or min_periods > window:
        raise ConfigError(f"need 2 <= min_periods <= window; got window={window}, min_periods={min_periods}")
    if span < 1:
        raise ConfigError(f"`span` = {span!r} must be >= 1")
    import gc

    acc = IndexAccumulator(freq=freq, tz=tz, clusters=clusters, narratives=narratives)
    # The loop allocates millions of short-lived dicts and creates no reference cycles; the cyclic
    # GC would rescan the growing counters on every generation-0 sweep (~15% of the run time).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for rec in records:
            acc.add(rec)
    finally:
        if gc_was_enabled:
            gc.enable()
    novelty_rows = acc.finish_clusters()
    return frames_from_accumulator(
        acc,
        novelty_rows,
        window=window,
        min_periods=min_periods,
        span=span,
        per_source_scaling=per_source_scaling,
        reference=reference,
    )


def frames_from_accumulator(
    acc: IndexAccumulator,
    novelty_rows: list[tuple[str, str, float, bool, bool]],
    *,
    window: int,
    min_periods: int,
    span: int,
    per_source_scaling: bool,
    reference: tuple[Any, Any] | None,
) -> IndexResult:
    """Turn the accumulator's counters into the tables of an :class:`IndexResult`."""
    narr = acc.narratives
    k = len(narr)
    cols = ["period", "source", "lang", "n", *(f"lab_{i}" for i in range(k)), *(f"int_{i}" for i in range(k))]
    raw = pd.DataFrame([(p, s, lg, *v) for (p, s, lg), v in acc.counts.items()], columns=cols)
    raw["period"] = pd.to_datetime([date.fromordinal(int(p)) for p in raw["period"]])
    grid = _period_range(raw["period"], acc.freq)

    index_parts, lang_parts, source_parts = [], [], []
    pooled = raw.groupby("period").sum(numeric_only=True).reindex(grid, fill_value=0)
    pooled.index.name = "period"
    scaled_by_narr: dict[str, pd.Series] = {}
    if per_source_scaling:
        for i, n in enumerate(narr):
            scaled_by_narr[n] = per_source_scaled(raw, f"lab_{i}", grid=grid, reference=reference)
    for i, n in enumerate(narr):
        df = pd.DataFrame(index=grid)
        df.index.name = "period"
        n_art = pooled["n"].astype("int64")
        df["narrative"] = n
        df["n_articles"] = n_art
        df["n_labelled"] = pooled[f"lab_{i}"].astype("int64")
        df["share"] = (df["n_labelled"] / n_art).where(n_art > 0)
        df["intensity"] = (pooled[f"int_{i}"] / n_art).where(n_art > 0)
        basis = df["share"]
        if per_source_scaling:
            df["scaled"] = scaled_by_narr[n]
            basis = df["scaled"]
        df["z"] = trailing_z(basis, window=window, min_periods=min_periods)
        df["ewma"] = ewma(basis, span=span)
        index_parts.append(df.reset_index())
        for dim, parts in (("lang", lang_parts), ("source", source_parts)):
            g = raw.groupby(["period", dim], as_index=False)[["n", f"lab_{i}"]].sum()
            g = g.rename(columns={"n": "n_articles", f"lab_{i}": "n_labelled"})
            g.insert(2, "narrative", n)
            g["n_articles"] = g["n_articles"].astype("int64")
            g["n_labelled"] = g["n_labelled"].astype("int64")
            g["share"] = g["n_labelled"] / g["n_articles"]
            parts.append(g)

    index = pd.concat(index_parts, ignore_index=True) if index_parts else pd.DataFrame()
    tickers = pd.DataFrame(
        [(s, date.fromordinal(p), n, c) for (s, p, n), c in acc.ticker_counts.items()],
        columns=["ticker", "period", "narrative", "n_articles"],
    )
    tickers["period"] = pd.to_datetime(tickers["period"])
    tickers = tickers.sort_values(["ticker", "period", "narrative"], ignore_index=True)
    novelty = pd.DataFrame(novelty_rows, columns=["id", "cluster", "published", "novel", "counted"])
    novelty["published"] = pd.to_datetime(
        [datetime.fromtimestamp(t, tz=UTC) for t in novelty["published"]], utc=True
    )
    n_counted = int(raw["n"].sum()) if len(raw) else 0
    meta = {
        "freq": acc.freq,
        "tz": acc.tz,
        "window": window,
        "min_periods": min_periods,
        "span": span,
        "per_source_scaling": per_source_scaling,
        "basis": "scaled" if per_source_scaling else "share",
        "narratives": list(narr),
        "n_records": acc.n_records,
        "n_undated": acc.n_undated,
        "n_counted": n_counted,
        "n_copies": int((~novelty["counted"]).sum()) if len(novelty) else 0,
    }
    sort = ["period", "narrative"]
    return IndexResult(
        index=index.sort_values(sort, ignore_index=True) if len(index) else index,
        by_lang=_concat_sorted(lang_parts, ["period", "lang", "narrative"]),
        by_source=_concat_sorted(source_parts, ["period", "source", "narrative"]),
        tickers=tickers,
        novelty=novelty,
        meta=meta,
    )


def _concat_sorted(parts: list[pd.DataFrame], by: list[str]) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame(columns=[*by, "n_articles", "n_labelled", "share"])
    return pd.concat(parts, ignore_index=True).sort_values(by, ignore_index=True)


def _period_range(periods: pd.Series, freq: str) -> pd.DatetimeIndex:
    if periods.empty:
        return pd.DatetimeIndex([])
    lo, hi = periods.min(), periods.max()
    step = {"D": "D", "W": "W-MON", "M": "MS"}[freq]
    return pd.date_range(lo, hi, freq=step)
