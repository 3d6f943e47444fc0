"""Read queries over the store: the narrative index, article listings and ticker series.

Every filter is a SQLAlchemy expression with bound parameters; no SQL text is built from values.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, exists, func, or_, select

from nlp.errors import ConfigError, value_invalid_msg
from nlp.records import NARRATIVES
from nlp.store import schema as s
from nlp.store.series import FREQS, Counts, Freq, derive, period_start, resample
from nlp.store.store import Store

MAX_LIMIT = 500
#: A cached series: its period dates (ISO), rows, and rows pre-serialised as JSON.
_Series = tuple[list[str], list[dict[str, Any]], list[str]]


class NotFoundError(ConfigError):
    """A named thing (ticker, model, narrative) the store does not hold."""

    status = 404


@dataclass(frozen=True, slots=True)
class Page:
    """One page of articles; ``next_cursor`` is ``None`` on the last page."""

    articles: list[dict[str, Any]]
    next_cursor: str | None


def check_narrative(narrative: str) -> str:
    if narrative not in NARRATIVES:
        raise NotFoundError(value_invalid_msg("narrative", narrative, NARRATIVES))
    return narrative


def check_freq(freq: str) -> Freq:
    if freq not in FREQS:
        raise ConfigError(value_invalid_msg("freq", freq, FREQS))
    return freq  # type: ignore[return-value]


def check_range(start: date | None, end: date | None) -> None:
    if start and end and start > end:
        raise ConfigError(f"`from` ({start}) is after `to` ({end})")


def latest_model(store: Store) -> str | None:
    """The model of the most recently finished run (the one the API serves by default)."""
    r = s.runs
    with store.read.connect() as conn:
        return conn.execute(
            select(r.c.model).where(r.c.status == "done").order_by(r.c.finished_at.desc()).limit(1)
        ).scalar_one_or_none()


def models(store: Store) -> list[str]:
    with store.read.connect() as conn:
        return list(conn.execute(select(s.runs.c.model).where(s.runs.c.status == "done").distinct()).scalars())


def _model(store: Store, model: str | None) -> str | None:
    if model is None:
        return latest_model(store)
    if model not in models(store):
        raise NotFoundError(value_invalid_msg("model", model, models(store)))
    return model


class IndexCache:
    """Derived full-history series, reused until the next run finishes.

    The index only changes when a run is swapped in, so each (model, narrative, freq, lang,
    source) series is computed once per *data version* (count and latest finish time of done
    runs) and requests slice it by date. A version read before a run commits can at worst pair
    with data read after it: newer, complete data, never a partial run.
    """

    def __init__(self, *, max_entries: int = 256) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple, _Series] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> _Series | None:
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
            return hit

    def put(self, key: tuple, value: _Series) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


def data_version(conn: Any) -> tuple[int, Any]:
    """Changes whenever a run finishes (the only time the index changes)."""
    r = s.runs
    n, last = conn.execute(select(func.count(), func.max(r.c.finished_at)).where(r.c.status == "done")).one()
    return int(n), last


def index_series(
    store: Store,
    *,
    narratives: tuple[str, ...] = NARRATIVES,
    start: date | None = None,
    end: date | None = None,
    freq: str = "D",
    lang: str | None = None,
    source: str | None = None,
    model: str | None = None,
    cache: IndexCache | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """The index per narrative: ``{narrative: [{date, n_articles, n_labelled, share, intensity, z, ewma}]}``.

    z and the EWMA always run over the full history, so a date range only selects rows: it never
    changes their values.
    """
    return {n: rows for n, (rows, _) in _index_slices(store, narratives=narratives, start=start, end=end, freq=freq,
                                                       lang=lang, source=source, model=model, cache=cache).items()}


def index_json_rows(store: Store, **kwargs: Any) -> list[str]:
    """Like :func:`index_series`, flattened, as pre-serialised JSON objects that carry ``narrative``.

    The API's hot path joins these strings instead of serialising hundreds of dicts per request.
    """
    return [js for _, fragments in _index_slices(store, **kwargs).values() for js in fragments]


def _index_slices(
    store: Store,
    *,
    narratives: tuple[str, ...] = NARRATIVES,
    start: date | None = None,
    end: date | None = None,
    freq: str = "D",
    lang: str | None = None,
    source: str | None = None,
    model: str | None = None,
    cache: IndexCache | None = None,
) -> dict[str, tuple[list[dict[str, Any]], list[str]]]:
    f = check_freq(freq)
    for n in narratives:
        check_narrative(n)
    check_range(start, end)
    m = _model(store, model)
    if m is None:
        return {n: ([], []) for n in narratives}
    lo = period_start(start, f).isoformat() if start is not None else None
    hi = end.isoformat() if end is not None else None
    out = {}
    with store.read.connect() as conn:
        version = data_version(conn) if cache is not None else None
        for n in narratives:
            key = (version, m, n, f, lang, source)
            hit = cache.get(key) if cache is not None else None
            if hit is None:
                hit = _full_series(conn, model=m, narrative=n, freq=f, lang=lang, source=source)
                if cache is not None:
                    cache.put(key, hit)
            dates, rows, fragments = hit
            i = bisect.bisect_left(dates, lo) if lo else 0
            j = bisect.bisect_right(dates, hi) if hi else len(dates)
            out[n] = (rows[i:j], fragments[i:j])
    return out


def _full_series(conn: Any, *, model: str, narrative: str, freq: Freq, lang: str | None, source: str | None) -> _Series:
    di = s.daily_index
    q = (
        select(di.c.day, func.sum(di.c.n_articles), func.sum(di.c.n_labelled), func.sum(di.c.sum_intensity))
        .where(di.c.model == model, di.c.narrative == narrative)
        .group_by(di.c.day)
        .order_by(di.c.day)
    )
    if lang:
        q = q.where(di.c.lang == lang)
    if source:
        q = q.where(di.c.source == source)
    daily = [Counts(day, int(n_art), int(n_lab), float(s_int or 0.0)) for day, n_art, n_lab, s_int in conn.execute(q)]
    rows = [r.to_dict() for r in derive(resample(daily, freq) if freq != "D" else daily, freq)]
    fragments = [json.dumps({"narrative": narrative, **r}, separators=(",", ":")) for r in rows]
    return [str(r["date"]) for r in rows], rows, fragments


def list_articles(
    store: Store,
    *,
    start: date | None = None,
    end: date | None = None,
    narrative: str | None = None,
    ticker: str | None = None,
    lang: str | None = None,
    source: str | None = None,
    model: str | None = None,
    limit: int = 50,
    offset: int = 0,
    cursor: str | None = None,
) -> Page:
    """Scored records, newest first, filtered; page with ``offset`` or with the opaque ``cursor``.

    A cursor is keyset paging on (timestamp, uid): stable while new articles arrive, unlike offsets.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise ConfigError(f"`limit` = {limit} is invalid; allowed 1..{MAX_LIMIT}")
    if offset < 0:
        raise ConfigError(f"`offset` = {offset} is invalid; it must be >= 0")
    check_range(start, end)
    m = _model(store, model)
    if m is None:
        return Page([], None)
    a = s.articles
    q = select(a.c.uid, a.c.ts, a.c.record).where(a.c.model == m, a.c.is_current)
    if start is not None:
        q = q.where(a.c.day >= start)
    if end is not None:
        q = q.where(a.c.day <= end)
    if lang:
        q = q.where(a.c.lang == lang)
    if source:
        q = q.where(a.c.source == source)
    if narrative:
        sc = s.article_scores
        q = q.where(exists().where(sc.c.uid == a.c.uid, sc.c.narrative == check_narrative(narrative), sc.c.labelled == 1))
    if ticker:
        t = s.tickers
        q = q.where(exists().where(t.c.uid == a.c.uid, t.c.symbol == ticker.strip().upper()))
    if cursor:
        ts, uid = _decode_cursor(cursor)
        q = q.where(or_(a.c.ts < ts, and_(a.c.ts == ts, a.c.uid < uid)))
    elif offset:
        q = q.offset(offset)
    q = q.order_by(a.c.ts.desc(), a.c.uid.desc()).limit(limit + 1)
    with store.read.connect() as conn:
        rows = conn.execute(q).all()
    more = len(rows) > limit
    rows = rows[:limit]
    nxt = _encode_cursor(rows[-1].ts, rows[-1].uid) if more and rows else None
    return Page([json.loads(r.record) for r in rows], nxt)


def ticker_series(
    store: Store,
    symbol: str,
    *,
    start: date | None = None,
    end: date | None = None,
    freq: str = "D",
    model: str | None = None,
) -> list[dict[str, Any]]:
    """Articles naming ``symbol`` per period, its mentions, and how many carry each narrative.

    Raises:
        NotFoundError: no stored article names the symbol.
    """
    f = check_freq(freq)
    check_range(start, end)
    sym = symbol.strip().upper()
    m = _model(store, model)
    a, t, sc = s.articles, s.tickers, s.article_scores
    with store.read.connect() as conn:
        if m is None or conn.execute(select(t.c.uid).where(t.c.symbol == sym).limit(1)).first() is None:
            raise NotFoundError(f"no stored article names the ticker {sym!r}")
        base = [a.c.model == m, a.c.is_current, a.c.day.is_not(None), t.c.symbol == sym]
        if start is not None:
            base.append(a.c.day >= start)
        if end is not None:
            base.append(a.c.day <= end)
        joined = a.join(t, t.c.uid == a.c.uid)
        totals = conn.execute(
            select(a.c.day, func.count(), func.sum(t.c.mentions)).select_from(joined).where(*base).group_by(a.c.day)
        ).all()
        labelled = conn.execute(
            select(a.c.day, sc.c.narrative, func.sum(sc.c.labelled))
            .select_from(joined.join(sc, sc.c.uid == a.c.uid)).where(*base).group_by(a.c.day, sc.c.narrative)
        ).all()
    periods: dict[date, dict[str, Any]] = {}
    for day, n, mentions in totals:
        p = periods.setdefault(period_start(day, f), {"n_articles": 0, "mentions": 0, "labelled": dict.fromkeys(NARRATIVES, 0)})
        p["n_articles"] += int(n)
        p["mentions"] += int(mentions or 0)
    for day, narrative, n in labelled:
        p = periods[period_start(day, f)]
        p["labelled"][narrative] = p["labelled"].get(narrative, 0) + int(n or 0)
    return [{"date": d.isoformat(), **v} for d, v in sorted(periods.items())]


def _encode_cursor(ts: datetime, uid: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([ts.isoformat(), uid]).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        ts, uid = json.loads(raw)
        return datetime.fromisoformat(ts), str(uid)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise ConfigError(f"`cursor` {cursor[:40]!r} is not a cursor this API returned") from exc
