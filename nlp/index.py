"""The narrative index (SPEC section 6): per narrative and period, how much of the news carries it.

Scored records (SPEC section 2) stream through :class:`IndexAccumulator`, which keeps only counters
per (period, source, lang) and per (ticker, period, narrative), so a million records fit in tens of
megabytes; the series are built from the counters at the end. Syndicated copies count once: one
article per cluster (from a record's ``cluster`` field or a ``clusters`` map, see
:mod:`nlp.dedup`), the cluster's earliest copy.

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
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlp.errors import ConfigError, InputError, value_invalid_msg
from nlp.records import NARRATIVES

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

FREQS = ("D", "W", "M")
DEFAULT_WINDOW = 20
DEFAULT_MIN_PERIODS = 5
DEFAULT_SPAN = 7
NOVELTY_WINDOW = timedelta(hours=24)
UNKNOWN = "(unknown)"


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


def period_start(ts: datetime, *, freq: str = "D", tz: Any = UTC) -> date:
    """The first day of the period holding ``ts`` in ``tz`` (a ``tzinfo``).

    Examples:
        >>> period_start(datetime(2026, 2, 6, 23, 30, tzinfo=UTC), freq="W")
        datetime.date(2026, 2, 2)
    """
    d = ts.astimezone(tz).date()
    if freq == "D":
        return d
    if freq == "W":
        return d - timedelta(days=d.weekday())
    return d.replace(day=1)


def period_end(start: date, *, freq: str = "D") -> date:
    """The first day after the period that starts on ``start``."""
    if freq == "D":
        return start + timedelta(days=1)
    if freq == "W":
        return start + timedelta(days=7)
    return date(start.year + (start.month == 12), start.month % 12 + 1, 1)


def _parse_published(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value)  # the scored records' format: fast path
    except (TypeError, ValueError):
        from nlp.text.dates import parse_date

        try:
            dt = parse_date(value)
        except (ValueError, OverflowError):
            return None
    return dt if dt is not None and dt.tzinfo else (dt.replace(tzinfo=UTC) if dt else None)


class IndexAccumulator:
    """Streaming counters behind :func:`build_index`; feed records with :meth:`add`.

    Args:
        freq: ``D``, ``W`` or ``M``.
        tz: IANA timezone name in which periods are calendar days.
        clusters: ``{id: cluster id}`` (from :func:`nlp.dedup.assign_clusters`); a record's own
            ``cluster`` field takes precedence.
        narratives: the narrative ids to index.
    """

    def __init__(
        self,
        *,
        freq: str = "D",
        tz: str = "UTC",
        clusters: Mapping[str, str] | None = None,
        narratives: tuple[str, ...] = NARRATIVES,
    ) -> None:
        if freq not in FREQS:
            raise ConfigError(value_invalid_msg("freq", freq, FREQS))
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            self._tz = UTC if tz.upper() == "UTC" else ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"`tz` = {tz!r} is not an IANA timezone name") from None
        self.freq, self.tz, self.narratives = freq, tz, narratives
        self.clusters = clusters or {}
        # (period ordinal, source, lang) -> [n, labelled per narrative..., intensity sum per narrative...]
        self.counts: dict[tuple[int, str, str], list[float]] = {}
        self.ticker_counts: dict[tuple[str, int, str], int] = {}
        self.n_records = self.n_undated = self.n_bad = 0
        # Records that are their own cluster: hash(id) -> timestamp (ids hashed to save memory).
        self._leaders: dict[int, float] = {}
        # Copies (cluster != id) wait until the end: they count only when their leader is absent.
        self._copies: list[tuple[str, str, float, tuple[Any, ...]]] = []
        self._period_cache: dict[int, int] = {}
        self._zeros = (0.0,) * len(narratives)

    def add(self, rec: Mapping[str, Any]) -> None:
        """Count one scored record (a SPEC section 2 mapping)."""
        # This is the hot loop of a million-record run: locals, no per-record allocations beyond
        # what the counters need.
        self.n_records += 1
        doc_id = rec.get("id")
        if not isinstance(doc_id, str):
            doc_id = str(doc_id) if doc_id is not None else f"#{self.n_records}"
        published = _parse_published(rec.get("published"))
        if published is None:
            self.n_undated += 1
            return
        ts = published.timestamp()
        payload = self._payload(rec, ts)
        cluster = rec.get("cluster") or self.clusters.get(doc_id)
        if cluster is None or cluster == doc_id:
            # Any record may lead a cluster that a later copy names (~100 bytes a record).
            self._leaders[hash(doc_id)] = ts
            self._apply(payload)
        else:
            self._copies.append((doc_id, str(cluster), ts, payload))

    def _period(self, ts: float) -> int:
        # Periods change only on quarter hours in every timezone: cache per 15-minute bucket.
        bucket = int(ts // 900)
        p = self._period_cache.get(bucket)
        if p is None:
            dt = datetime.fromtimestamp(bucket * 900, tz=UTC)
            p = self._period_cache[bucket] = period_start(dt, freq=self.freq, tz=self._tz).toordinal()
        return p

    def _payload(self, rec: Mapping[str, Any], ts: float) -> tuple[Any, ...]:
        labels = rec.get("labels") or ()
        intensity = rec.get("intensity") or {}
        narr = self.narratives
        flags = tuple([n in labels for n in narr])
        ints = tuple([float(intensity.get(n) or 0.0) for n in narr]) if intensity else self._zeros
        tick = rec.get("tickers")
        tickers = tuple({t["symbol"] for t in tick if isinstance(t, dict) and t.get("symbol")}) if tick else ()
        source = rec.get("source") or UNKNOWN
        lang = rec.get("lang") or UNKNOWN
        return (self._period(ts), source if isinstance(source, str) else str(source), lang if isinstance(lang, str) else str(lang), flags, ints, tickers)

    def _apply(self, payload: tuple[Any, ...]) -> None:
        period, source, lang, flags, ints, tickers = payload
        k = len(flags)
        key = (period, source, lang)
        row = self.counts.get(key)
        if row is None:
            row = self.counts[key] = [0.0] * (1 + 2 * k)
        row[0] += 1
        for i in range(k):
            if flags[i]:
                row[1 + i] += 1
            row[1 + k + i] += ints[i]
        if tickers:
            tc = self.ticker_counts
            for sym in tickers:
                tkey = (sym, period, "all")
                tc[tkey] = tc.get(tkey, 0) + 1
                for i, n in enumerate(self.narratives):
                    if flags[i]:
                        tkey = (sym, period, n)
                        tc[tkey] = tc.get(tkey, 0) + 1

    def finish_clusters(self) -> list[tuple[str, str, float, bool, bool]]:
        """Resolve the waiting copies; returns novelty rows (id, cluster, ts, novel, counted)."""
        groups: dict[str, list[tuple[str, str, float, tuple[Any, ...]]]] = {}
        for c in self._copies:
            groups.setdefault(c[1], []).append(c)
        rows: list[tuple[str, str, float, bool, bool]] = []
        for cluster, copies in groups.items():
            copies.sort(key=lambda c: c[2])
            leader_ts = self._leaders.get(hash(cluster))
            members: list[tuple[str, float, bool]] = [(cid, ts, False) for cid, _, ts, _ in copies]
            if leader_ts is None:
                self._apply(copies[0][3])  # the leader is missing: the earliest copy stands in
                members[0] = (members[0][0], members[0][1], True)
            else:
                members.append((cluster, leader_ts, True))
            members.sort(key=lambda m: m[1])
            prev: float | None = None
            for cid, ts, counted in members:
                novel = prev is None or ts - prev > NOVELTY_WINDOW.total_seconds()
                rows.append((cid, cluster, ts, novel, counted))
                prev = ts
        self._copies = []
        return rows


def read_scored(paths: Iterable[str | Path], *, stats: dict[str, int] | None = None) -> Iterator[dict[str, Any]]:
    """Stream scored records from JSONL files (``-`` is stdin); malformed lines are counted in
    ``stats["bad"]`` and skipped with a warning.

    Raises:
        InputError: a path does not exist.
    """
    import sys

    for raw in paths:
        path = str(raw)
        if path != "-" and not Path(path).exists():
            raise InputError(f"scored file {path} does not exist")
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
        clusters: ``{id: cluster id}`` from :func:`nlp.dedup.assign_clusters`.

    Returns:
        An :class:`IndexResult`.

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
    from nlp import stats

    return stats.frames_from_accumulator(
        acc,
        novelty_rows,
        window=window,
        min_periods=min_periods,
        span=span,
        per_source_scaling=per_source_scaling,
        reference=reference,
    )


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


