"""The store: connections, runs and the stage-and-swap ingest protocol.

Why stage and swap. Scoring is slow and a run may hold millions of articles, so a run cannot be one
long write transaction (on SQLite that would hold the single writer lock for the whole run and
block every other writer). Instead:

1. ``start_run`` commits a ``runs`` row with ``status='running'``.
2. ``stage`` commits each chunk of scored articles into the ``stage_*`` tables, tagged with the run
   id, in one short transaction per chunk (and bumps the run's heartbeat). Readers never look at
   the staging tables, so a committed chunk is durable but invisible.
3. ``finish_run`` swaps the run in with ONE transaction: upsert the staged rows into ``articles``,
   ``article_scores`` and ``tickers`` (``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` on the
   (article id, content hash, model) key), mark superseded versions, delete and recompute the
   ``daily_index`` rows of exactly the days the run touched, drop the staging rows and set the run
   to ``done``. Readers see all of the run or none of it.

A process killed between 1 and 3 leaves a run that stays ``running`` and staged rows nobody reads:
nothing half written is ever visible, and everything committed by earlier runs is untouched. The
next ingest (and ``narratives runs``) calls ``reap_stale_runs``, which marks such a run ``failed``
and drops its staged rows in one transaction: at once when the run's owner process (recorded in
the run row, see :mod:`nlp.store.owners`) is certainly gone, otherwise once its heartbeat is
older than ``STALE_AFTER``. ``fail_run`` does the same cleanup for a run that raised.

SQLite runs in WAL mode (readers never block the writer), with foreign keys on; write transactions
start with ``BEGIN IMMEDIATE`` so that two writers queue on ``busy_timeout`` instead of failing on a
lock upgrade. PostgreSQL serialises swaps with a transaction-scoped advisory lock.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    delete,
    event,
    func,
    literal,
    select,
    true,
    update,
)
from sqlalchemy.engine import make_url

from nlp.errors import ConfigError, NlpError
from nlp.records import Article, RecordError, ScoredArticle
from nlp.store import schema as s
from nlp.store.migrations import LATEST, current_version, migrate
from nlp.store.owners import Owner, is_gone, this_process

log = logging.getLogger(__name__)

DEFAULT_DB = Path("data") / "narratives.db"
#: Runs whose heartbeat is older than this are presumed dead (their process was killed).
STALE_AFTER = timedelta(minutes=30)
#: Errors kept in a run row (the rest are counted, not stored).
MAX_RUN_ERRORS = 100
_SWAP_LOCK = 0x6E617272  # "narr": the PostgreSQL advisory lock key of swaps


class RunStateError(NlpError):
    """A run was finished or failed twice, or does not exist."""

    status = 409


def resolve_url(url: str | Path | None = None) -> str:
    """The database URL: ``url``, else ``$NARRATIVES_DB``, else ``./data/narratives.db``.

    A value without ``://`` is a SQLite file path.

    Examples:
        >>> resolve_url("postgresql+psycopg://u@127.0.0.1/db")
        'postgresql+psycopg://u@127.0.0.1/db'
        >>> resolve_url("/tmp/x.db")
        'sqlite:////tmp/x.db'
    """
    raw = str(url) if url else os.environ.get("NARRATIVES_DB") or str(DEFAULT_DB)
    if "://" in raw:
        return raw
    return f"sqlite:///{Path(raw).expanduser().resolve()}"


def content_hash(article: Article) -> str:
    """A hash of everything the input record says, so that an edited article is a new version."""
    parts = [article.title or "", article.text, article.published.isoformat() if article.published else "", article.source or "", article.url or "", article.lang or ""]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def article_uid(article_id: str, chash: str, model: str) -> str:
    """The primary key of one (article id, content hash, model) version."""
    return hashlib.sha256(f"{article_id}\x1f{chash}\x1f{model}".encode()).hexdigest()[:40]


@dataclass(slots=True)
class RunSummary:
    """What a run did; ``status`` is ``running``, ``done`` or ``failed``."""

    run_id: str
    model: str
    status: str = "running"
    n_read: int = 0
    n_scored: int = 0
    n_rejected: int = 0
    n_new: int = 0
    n_days: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id, "model": self.model, "status": self.status, "read": self.n_read,
            "scored": self.n_scored, "rejected": self.n_rejected, "new": self.n_new, "days": self.n_days,
        }


class Store:
    """A narrative store at ``url`` (SQLite file or PostgreSQL), migrated on open.

    Args:
        url: database URL or SQLite path (see :func:`resolve_url`).
        migrate_schema: apply missing migrations (default). Without it an outdated database raises.
    """

    def __init__(self, url: str | Path | None = None, *, migrate_schema: bool = True) -> None:
        self.url = resolve_url(url)
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        if self.dialect not in ("sqlite", "postgresql"):
            raise ConfigError(f"unsupported database {self.dialect!r}: use a SQLite path or a postgresql+psycopg:// URL")
        if self.dialect == "sqlite":
            if parsed.database in (None, "", ":memory:"):
                raise ConfigError("an in-memory SQLite store cannot be shared between connections; give a file path")
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            self.read = _sqlite_engine(self.url, immediate=False)
            self.write = _sqlite_engine(self.url, immediate=True)
        else:
            self.read = self.write = create_engine(self.url, pool_pre_ping=True)
        try:
            if migrate_schema:
                migrate(self.write)
            else:
                with self.read.connect() as conn:
                    version = current_version(conn)
                if version != LATEST:
                    raise ConfigError(f"database schema is at version {version}, this package needs {LATEST}")
        except BaseException:
            self.close()  # no pooled connection outlives a store that failed to open
            raise

    def close(self) -> None:
        self.read.dispose()
        if self.write is not self.read:
            self.write.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def schema_version(self) -> int:
        with self.read.connect() as conn:
            return current_version(conn)

    # -- runs --------------------------------------------------------------------------------------

    def start_run(self, *, model: str, inputs: Sequence[str]) -> RunSummary:
        """Commit a new ``running`` run and return its summary (which carries the run id)."""
        run = RunSummary(run_id=uuid.uuid4().hex, model=model)
        now = _now()
        me = this_process()
        with self.write.begin() as conn:
            conn.execute(s.runs.insert().values(
                id=run.run_id, model=model, inputs=json.dumps(list(inputs), ensure_ascii=False), status="running",
                n_read=0, n_scored=0, n_rejected=0, n_new=0, n_days=0, errors="[]", started_at=now, heartbeat_at=now,
                owner_host=me.host, owner_pid=me.pid, owner_token=me.token,
            ))
        return run

    def stage(self, run: RunSummary, items: Iterable[tuple[ScoredArticle, str] | RecordError]) -> None:
        """Commit one chunk of a run: scored articles (each with its content hash) and rejected records."""
        art_rows: list[dict[str, Any]] = []
        score_rows: list[dict[str, Any]] = []
        ticker_rows: list[dict[str, Any]] = []
        now = _now()
        for item in items:
            run.n_read += 1
            if isinstance(item, RecordError):
                run.n_rejected += 1
                if len(run.errors) < MAX_RUN_ERRORS:
                    run.errors.append(item.to_dict())
                continue
            rec, chash = item
            if rec.model != run.model:
                raise RunStateError(f"record {rec.id!r} was scored by {rec.model!r}, the run is for {run.model!r}")
            run.n_scored += 1
            row = _article_row(rec, chash, now)
            art_rows.append({"run_id": run.run_id, **row})
            uid = row["uid"]
            for narrative, score in rec.scores.items():
                score_rows.append({"run_id": run.run_id, "uid": uid, "narrative": narrative, "score": float(score),
                                   "labelled": int(narrative in rec.labels), "intensity": float(rec.intensity.get(narrative, 0.0))})
            for t in rec.tickers:
                ticker_rows.append({"run_id": run.run_id, "uid": uid, "symbol": t.symbol, "mentions": int(t.mentions)})
        with self.write.begin() as conn:
            for table, rows in ((s.stage_articles, art_rows), (s.stage_scores, score_rows), (s.stage_tickers, ticker_rows)):
                if rows:  # a repeated article inside one run keeps its first copy
                    conn.execute(self._insert(table).on_conflict_do_nothing(), rows)
            conn.execute(update(s.runs).where(s.runs.c.id == run.run_id).values(
                heartbeat_at=now, n_read=run.n_read, n_scored=run.n_scored, n_rejected=run.n_rejected,
                errors=json.dumps(run.errors, ensure_ascii=False),
            ))

    def finish_run(self, run: RunSummary) -> RunSummary:
        """Swap a run's staged rows in and mark it ``done``, all in one transaction."""
        r, a, sa = run.run_id, s.articles, s.stage_articles
        with self.write.begin() as conn:
            if self.dialect == "postgresql":
                conn.execute(select(func.pg_advisory_xact_lock(_SWAP_LOCK)))
            self._check_running(conn, r)
            staged_ids = select(sa.c.article_id).where(sa.c.run_id == r)
            staged_uids = select(sa.c.uid).where(sa.c.run_id == r)
            superseded = (a.c.model == run.model) & a.c.is_current & a.c.article_id.in_(staged_ids) & a.c.uid.not_in(staged_uids)
            days = set(conn.execute(select(sa.c.day).distinct().where(sa.c.run_id == r, sa.c.day.is_not(None))).scalars())
            days |= set(conn.execute(select(a.c.day).distinct().where(superseded, a.c.day.is_not(None))).scalars())
            cols = [c.name for c in sa.columns if c.name != "run_id"]
            conn.execute(self._insert(a).from_select(
                [*cols, "run_id", "is_current"],
                select(*[sa.c[c] for c in cols], literal(r).label("run_id"), true().label("is_current")).where(sa.c.run_id == r),
            ).on_conflict_do_nothing())
            # Rows the upsert kept carry their first run's id, so this counts exactly the new ones
            # (driver rowcounts of INSERT ... SELECT are not reliable across dialects).
            run.n_new = int(conn.execute(select(func.count()).select_from(a).where(a.c.run_id == r)).scalar_one())
            for stage_t, table in ((s.stage_scores, s.article_scores), (s.stage_tickers, s.tickers)):
                names = [c.name for c in table.columns]
                conn.execute(self._insert(table).from_select(
                    names, select(*[stage_t.c[c] for c in names]).where(stage_t.c.run_id == r),
                ).on_conflict_do_nothing())
            conn.execute(update(a).where(superseded).values(is_current=False))
            conn.execute(update(a).where(a.c.uid.in_(staged_uids), a.c.is_current.is_(False)).values(is_current=True))
            refresh_days(conn, model=run.model, days=days)
            self._drop_staged(conn, r)
            run.n_days, run.status = len(days), "done"
            conn.execute(update(s.runs).where(s.runs.c.id == r).values(
                status="done", n_new=run.n_new, n_days=run.n_days, finished_at=_now(), heartbeat_at=_now(),
                n_read=run.n_read, n_scored=run.n_scored, n_rejected=run.n_rejected,
                errors=json.dumps(run.errors, ensure_ascii=False),
            ))
        log.info("run %s done: %d scored, %d new, %d days refreshed", r, run.n_scored, run.n_new, run.n_days)
        return run

    def fail_run(self, run: RunSummary, message: str) -> RunSummary:
        """Mark a run ``failed`` and drop what it staged; committed runs are untouched."""
        with self.write.begin() as conn:
            self._check_running(conn, run.run_id)
            self._drop_staged(conn, run.run_id)
            conn.execute(update(s.runs).where(s.runs.c.id == run.run_id).values(status="failed", message=message[:2000], finished_at=_now()))
        run.status = "failed"
        return run

    def reap_stale_runs(self, *, stale_after: timedelta = STALE_AFTER) -> list[str]:
        """Mark ``running`` runs of dead processes ``failed`` and drop their staged rows.

        A run is dead when its owner process is certainly gone (same host and boot, no such
        process: see :mod:`nlp.store.owners`) or when its heartbeat is older than ``stale_after``.
        The check, the status change and the cleanup happen in one transaction (staged rows of a
        run that is not ``running`` cannot exist: ``finish_run`` and ``fail_run`` drop them in the
        transaction that changes the status). Returns the ids of the runs marked.
        """
        r = s.runs
        cols = (r.c.id, r.c.heartbeat_at, r.c.owner_host, r.c.owner_pid, r.c.owner_token)
        with self.read.connect() as conn:  # the common case, nothing to do, takes no write lock
            if conn.execute(select(func.count()).select_from(r).where(r.c.status == "running")).scalar_one() == 0:
                return []
        cutoff = _now() - stale_after
        reaped: list[str] = []
        with self.write.begin() as conn:
            for run_id, heartbeat, host, pid, token in conn.execute(select(*cols).where(r.c.status == "running")).all():
                if host and pid and is_gone(Owner(host, int(pid), token or "")):
                    why = f"abandoned: its process {pid} on {host} is gone"
                elif heartbeat < cutoff:
                    why = f"abandoned: no heartbeat since {heartbeat.replace(tzinfo=UTC).isoformat()}"
                else:
                    continue
                self._drop_staged(conn, run_id)
                conn.execute(update(r).where(r.c.id == run_id, r.c.status == "running").values(status="failed", message=why, finished_at=_now()))
                log.warning("run %s marked failed (%s)", run_id, why)
                reaped.append(run_id)
        return reaped

    def get_run(self, run_id: str) -> dict[str, Any] | None:
        with self.read.connect() as conn:
            row = conn.execute(select(s.runs).where(s.runs.c.id == run_id)).mappings().first()
        return _run_dict(row) if row else None

    def list_runs(self, *, limit: int = 50) -> list[dict[str, Any]]:
        with self.read.connect() as conn:
            rows = conn.execute(select(s.runs).order_by(s.runs.c.started_at.desc()).limit(limit)).mappings().all()
        return [_run_dict(r) for r in rows]

    # -- helpers -----------------------------------------------------------------------------------

    def _insert(self, table: Any) -> Any:
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert(table)

    @staticmethod
    def _check_running(conn: Connection, run_id: str) -> None:
        status = conn.execute(select(s.runs.c.status).where(s.runs.c.id == run_id)).scalar_one_or_none()
        if status != "running":
            raise RunStateError(f"run {run_id} is {status or 'unknown'}, not running")

    @staticmethod
    def _drop_staged(conn: Connection, run_id: str) -> None:
        for table in (s.stage_tickers, s.stage_scores, s.stage_articles):
            conn.execute(delete(table).where(table.c.run_id == run_id))


def refresh_days(conn: Connection, *, model: str, days: Iterable[date]) -> None:
    """Delete and recompute the ``daily_index`` rows of ``days`` for ``model`` (inside the caller's transaction)."""
    a, sc, di = s.articles, s.article_scores, s.daily_index
    ordered = sorted(days)
    for i in range(0, len(ordered), 500):  # bounded IN lists
        chunk = ordered[i : i + 500]
        conn.execute(delete(di).where(di.c.model == model, di.c.day.in_(chunk)))
        agg = (
            select(a.c.model, sc.c.narrative, a.c.day, a.c.lang, a.c.source, func.count(), func.sum(sc.c.labelled), func.sum(sc.c.intensity))
            .select_from(a.join(sc, sc.c.uid == a.c.uid))
            .where(a.c.model == model, a.c.is_current, a.c.day.in_(chunk))
            .group_by(a.c.model, sc.c.narrative, a.c.day, a.c.lang, a.c.source)
        )
        conn.execute(di.insert().from_select(["model", "narrative", "day", "lang", "source", "n_articles", "n_labelled", "sum_intensity"], agg))


def _article_row(rec: ScoredArticle, chash: str, now: datetime) -> dict[str, Any]:
    published = _utc_naive(rec.published) if rec.published else None
    return {
        "uid": article_uid(rec.id, chash, rec.model),
        "article_id": rec.id,
        "content_hash": chash,
        "model": rec.model,
        "published_at": published,
        "day": published.date() if published else None,
        "ts": published or now,
        "lang": rec.lang,
        "source": rec.source or "",
        "title": rec.title,
        "url": rec.url,
        "record": json.dumps(rec.to_dict(), ensure_ascii=False, separators=(",", ":")),
    }


def _run_dict(row: Any) -> dict[str, Any]:
    d = dict(row)
    d["inputs"] = json.loads(d["inputs"])
    d["errors"] = json.loads(d["errors"])
    for k in ("started_at", "heartbeat_at", "finished_at"):
        if d.get(k) is not None:
            d[k] = d[k].replace(tzinfo=UTC).isoformat()
    return d


def _utc_naive(dt: datetime) -> datetime:
    """Naive datetimes are UTC (SPEC section 1); aware ones are converted."""
    return dt.astimezone(UTC).replace(tzinfo=None) if dt.tzinfo else dt


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # pysqlite's own transaction handling defers BEGIN and never wraps SELECTs; turn it off
        # and issue BEGIN ourselves (SQLAlchemy's documented recipe) so reads see one snapshot.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
