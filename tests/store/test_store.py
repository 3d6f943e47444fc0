"""The store's write path: upsert semantics, stage-and-swap runs, targeted index refresh."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from nlp.records import RecordError, ScoredArticle
from nlp.store import RunStateError, Store
from nlp.store import schema as s
from nlp.store.queries import index_series, latest_model, list_articles
from tests.store.conftest import scored


def _ingest(store: Store, records: list[ScoredArticle], *, model: str = "m-1", version: str = "v1", errors: tuple = ()):
    run = store.start_run(model=model, inputs=["test"])
    store.stage(run, [*((r, f"{version}-{r.id}") for r in records), *errors])
    return store.finish_run(run)


def _count(store: Store, table) -> int:
    with store.read.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _index(store: Store, **kw) -> dict:
    return index_series(store, **kw)


BATCH = [
    scored("a1", "2026-02-02", labels=("ai_disruption",), tickers=(("NVDA", 2),)),
    scored("a2", "2026-02-02"),
    scored("a3", "2026-02-03", labels=("ai_disruption", "ai_returns_doubt"), lang="zh-Hant", tickers=(("MU", 1),)),
    scored("a4", None),  # no date: stored, listed, but in no day of the index
]


def test_reingesting_a_batch_changes_nothing(store: Store) -> None:
    first = _ingest(store, BATCH, errors=(RecordError(3, "bad date"),))
    assert (first.status, first.n_scored, first.n_rejected, first.n_new, first.n_days) == ("done", 4, 1, 4, 2)
    before = _index(store)
    again = _ingest(store, BATCH)
    assert (again.n_new, again.n_days) == (0, 2)
    assert _index(store) == before
    assert _count(store, s.articles) == 4
    assert _count(store, s.tickers) == 2
    rows = before["ai_disruption"]
    assert [(r["date"], r["n_articles"], r["n_labelled"], r["share"]) for r in rows] == [
        ("2026-02-02", 2, 1, 0.5), ("2026-02-03", 1, 1, 1.0)]
    assert rows[0]["intensity"] == pytest.approx(0.25)


def test_new_model_sits_beside_the_old(store: Store) -> None:
    _ingest(store, BATCH, model="m-1")
    relabelled = [scored(r.id, r.published.date().isoformat() if r.published else None, model="m-2") for r in BATCH]
    _ingest(store, relabelled, model="m-2")
    assert _count(store, s.articles) == 8
    assert latest_model(store) == "m-2"
    assert [r["n_labelled"] for r in _index(store)["ai_disruption"]] == [0, 0]
    assert [r["n_labelled"] for r in _index(store, model="m-1")["ai_disruption"]] == [1, 1]


def test_edited_article_supersedes_its_old_version_and_both_days_refresh(store: Store) -> None:
    _ingest(store, BATCH)
    moved = scored("a1", "2026-02-05", labels=("ai_returns_doubt",))
    run = _ingest(store, [moved], version="v2")
    assert (run.n_new, run.n_days) == (1, 2)  # the new day and the day the old version left
    idx = {r["date"]: r for r in _index(store)["ai_disruption"]}
    assert idx["2026-02-02"]["n_articles"] == 1 and idx["2026-02-02"]["n_labelled"] == 0
    assert idx["2026-02-05"]["n_articles"] == 1
    assert _count(store, s.articles) == 5  # history kept
    assert [a["id"] for a in list_articles(store, start=date(2026, 2, 5)).articles] == ["a1"]


def test_index_refresh_touches_only_the_runs_days(store: Store) -> None:
    _ingest(store, BATCH)
    di = s.daily_index
    with store.write.begin() as conn:  # mark a day the next run does not touch
        conn.execute(update(di).where(di.c.day == date(2026, 2, 2)).values(n_articles=999))
    _ingest(store, [scored("b1", "2026-02-03")])
    idx = {r["date"]: r["n_articles"] for r in _index(store)["ai_disruption"]}
    assert idx == {"2026-02-02": 999, "2026-02-03": 2}


def test_failed_run_leaves_nothing_visible(store: Store) -> None:
    _ingest(store, BATCH[:1])
    run = store.start_run(model="m-1", inputs=["x"])
    store.stage(run, [(scored("z1", "2026-03-01"), "h")])
    assert _count(store, s.stage_articles) == 1
    store.fail_run(run, "boom")
    assert _count(store, s.stage_articles) == 0
    assert [a["id"] for a in list_articles(store).articles] == ["a1"]
    assert store.get_run(run.run_id)["status"] == "failed"
    with pytest.raises(RunStateError, match="is failed"):
        store.finish_run(run)


def test_crashed_run_stays_running_invisible_then_is_reaped(store: Store) -> None:
    run = store.start_run(model="m-1", inputs=["x"])
    store.stage(run, [(scored("z1", "2026-03-01"), "h")])
    # The process "dies" here: no finish, no fail.
    other = Store(store.url)
    try:
        assert list_articles(other, model=None).articles == []
        assert other.get_run(run.run_id)["status"] == "running"
        assert other.reap_stale_runs(stale_after=timedelta(minutes=5)) == []
        assert other.reap_stale_runs(stale_after=timedelta(0)) == [run.run_id]
        assert other.get_run(run.run_id)["status"] == "failed"
        assert _count(other, s.stage_articles) == 0
    finally:
        other.close()


def test_stage_rejects_a_record_of_another_model(store: Store) -> None:
    run = store.start_run(model="m-1", inputs=[])
    with pytest.raises(RunStateError, match="scored by 'm-2'"):
        store.stage(run, [(scored("x", model="m-2"), "h")])


def test_runs_are_listed_with_counts(store: Store) -> None:
    run = _ingest(store, BATCH)
    (row,) = store.list_runs()
    assert row["id"] == run.run_id and row["status"] == "done" and row["n_scored"] == 4
    assert row["inputs"] == ["test"] and row["finished_at"]


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path) -> None:
    with Store(tmp_path / "x.db") as st, st.read.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_default_location_and_env_override(tmp_path, monkeypatch) -> None:
    from nlp.store import resolve_url

    monkeypatch.delenv("NARRATIVES_DB", raising=False)
    assert resolve_url().endswith("data/narratives.db")
    monkeypatch.setenv("NARRATIVES_DB", str(tmp_path / "e.db"))
    assert resolve_url() == f"sqlite:///{tmp_path / 'e.db'}"
    assert resolve_url("postgresql+psycopg://u@h/d") == "postgresql+psycopg://u@h/d"


def test_unsupported_database_is_a_config_error() -> None:
    from nlp.errors import ConfigError

    with pytest.raises(ConfigError, match="unsupported database 'mysql'"):
        Store("mysql://u@h/d")
