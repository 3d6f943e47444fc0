"""Versioned schema migrations: an ordered list of functions, applied once each, recorded in ``schema_version``.

Each migration takes an open connection inside the upgrade transaction and moves the schema from
version ``n - 1`` to ``n``. Migrations are append-only: a released one is never edited, a change is a
new function at the end. ``migrate`` is idempotent, so every process may call it on start-up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, func, inspect, select, text

from nlp.store import schema as s

log = logging.getLogger(__name__)

Migration = Callable[[Connection], None]


def _v1_core(conn: Connection) -> None:
    """Runs, scored articles, per-narrative scores, tickers and the daily index."""
    for table in (s.runs, s.articles, s.article_scores, s.tickers, s.daily_index):
        table.create(conn, checkfirst=True)


def _v2_staging(conn: Connection) -> None:
    """Staging tables for stage-and-swap ingests (a crashed run never shows up half written)."""
    for table in (s.stage_articles, s.stage_scores, s.stage_tickers):
        table.create(conn, checkfirst=True)


def _v3_run_owner(conn: Connection) -> None:
    """Who started each run (host, pid, process start token), for recovering runs of dead processes."""
    have = {c["name"] for c in inspect(conn).get_columns(s.runs.name)}
    for name, sql_type in (("owner_host", "VARCHAR(255)"), ("owner_pid", "INTEGER"), ("owner_token", "VARCHAR(80)")):
        if name not in have:  # a database created by v1 at this version already has them
            conn.execute(text(f"ALTER TABLE {s.runs.name} ADD COLUMN {name} {sql_type}"))


#: Position ``i`` holds the migration to version ``i + 1``.
MIGRATIONS: tuple[Migration, ...] = (_v1_core, _v2_staging, _v3_run_owner)
LATEST = len(MIGRATIONS)


def current_version(conn: Connection) -> int:
    """The schema version of the database (0 for an empty one)."""
    if not inspect(conn).has_table(s.schema_version.name):
        return 0
    return int(conn.execute(select(func.coalesce(func.max(s.schema_version.c.version), 0))).scalar_one())


def migrate(engine: Engine, *, target: int = LATEST) -> list[int]:
    """Apply the missing migrations up to ``target``, each in its own transaction.

    Returns the versions applied (empty when the database was already up to date).
    """
    applied: list[int] = []
    with engine.begin() as conn:
        s.schema_version.create(conn, checkfirst=True)
    while True:
        with engine.begin() as conn:
            version = current_version(conn)
            if version >= target:
                return applied
            # Two processes may start at once: the primary key on `version` makes the loser fail
            # its insert and roll back its DDL (PostgreSQL) rather than record a version twice.
            MIGRATIONS[version](conn)
            conn.execute(s.schema_version.insert().values(version=version + 1, applied_at=_now()))
            log.info("schema migrated to version %d", version + 1)
            applied.append(version + 1)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
