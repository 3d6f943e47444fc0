"""Versioned migrations: an empty database upgrades to the latest version; re-running changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, select

from nlp.errors import ConfigError
from nlp.store import Store
from nlp.store import schema as s
from nlp.store.migrations import LATEST, MIGRATIONS, current_version, migrate


def _engine(url: str):
    return create_engine(url)


def test_empty_database_upgrades_to_latest(db_url: str) -> None:
    eng = _engine(db_url)
    try:
        assert migrate(eng) == list(range(1, LATEST + 1))
        with eng.connect() as conn:
            assert current_version(conn) == LATEST == len(MIGRATIONS)
            tables = set(inspect(conn).get_table_names())
        assert {t.name for t in s.metadata.sorted_tables} <= tables
    finally:
        eng.dispose()


def test_rerunning_migrations_is_a_no_op(db_url: str) -> None:
    eng = _engine(db_url)
    try:
        migrate(eng)
        assert migrate(eng) == []
        with eng.connect() as conn:
            versions = list(conn.execute(select(s.schema_version.c.version).order_by(s.schema_version.c.version)).scalars())
        assert versions == list(range(1, LATEST + 1))
    finally:
        eng.dispose()


def test_an_older_database_upgrades_step_by_step(db_url: str) -> None:
    eng = _engine(db_url)
    try:
        assert migrate(eng, target=1) == [1]
        with eng.connect() as conn:
            assert not inspect(conn).has_table("stage_articles")
        assert migrate(eng) == list(range(2, LATEST + 1))
        with eng.connect() as conn:
            assert inspect(conn).has_table("stage_articles")
    finally:
        eng.dispose()


def test_store_without_migrate_refuses_an_outdated_schema(db_url: str) -> None:
    eng = _engine(db_url)
    try:
        migrate(eng, target=1)
    finally:
        eng.dispose()
    with pytest.raises(ConfigError, match=f"version 1, this package needs {LATEST}"):
        Store(db_url, migrate_schema=False)
    with Store(db_url) as st:
        assert st.schema_version() == LATEST
