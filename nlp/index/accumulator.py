"""The streaming counters behind :func:`nlp.index.builder.build_index`.

:class:`IndexAccumulator` keeps only counters per (period, source, lang) and per (ticker, period,
narrative), so a million scored records fit in tens of megabytes; syndicated copies wait until
the end and count only when their cluster's leader is absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from nlp.errors import ConfigError, value_invalid_msg
from nlp.index.periods import FREQS, period_start
from nlp.records import NARRATIVES

NOVELTY_WINDOW = timedelta(hours=24)
UNKNOWN = "(unknown)"


def parse_published(value: Any) -> datetime | None:
    """A scored record's ``published`` as an aware datetime (a naive time is UTC).

    ``None`` when the value is absent or does not parse.
    """
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
    """Streaming counters behind :func:`~nlp.index.builder.build_index`; feed them with :meth:`add`.

    Args:
        freq: ``D``, ``W`` or ``M``.
        tz: IANA timezone name in which periods are calendar days.
        clusters: ``{id: cluster id}`` (from :func:`nlp.index.dedup.assign_clusters`); a record's
            own ``cluster`` field takes precedence.
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
        published = parse_published(rec.get("published"))
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
