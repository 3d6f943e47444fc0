"""Recovery: a run left ``running`` by a dead process is marked failed and swept on the next start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, inspect, select, text, update

from nlp.store import Store
from nlp.store import schema as s
from nlp.store.migrations import MIGRATIONS
from nlp.store.owners import Owner, is_gone, this_process

posix_only = pytest.mark.skipif(os.name != "posix", reason="owner checks need POSIX signals; elsewhere the heartbeat decides")

# A child that starts a run, stages one chunk and dies by SIGKILL: no finish, no fail, no cleanup.
_CRASH = """
import os, signal, sys
from nlp.store import Store
from tests.store.conftest import scored
store = Store(sys.argv[1])
run = store.start_run(model="m-1", inputs=["crash"])
store.stage(run, [(scored("k1", "2026-03-01"), "h1"), (scored("k2", "2026-03-02"), "h2")])
print(run.run_id, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def _crashed_run(url: str) -> str:
    proc = subprocess.run([sys.executable, "-c", _CRASH, url], capture_output=True, text=True, timeout=60, cwd=Path(__file__).parents[2])
    assert proc.returncode == -9, proc.stderr
    return proc.stdout.strip()


def _staged(store: Store, run_id: str) -> int:
    with store.read.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(s.stage_articles).where(s.stage_articles.c.run_id == run_id)).scalar_one())


@posix_only
def test_a_killed_run_is_failed_and_swept_at_once(tmp_path: Path) -> None:
    """Reproduction: the killed run used to stay ``running`` with its staged rows for 30 minutes."""
    url = f"sqlite:///{tmp_path / 'r.db'}"
    run_id = _crashed_run(url)
    with Store(url) as store:
        assert store.get_run(run_id)["status"] == "running" and _staged(store, run_id) == 2
        assert store.reap_stale_runs() == [run_id]
        run = store.get_run(run_id)
        assert run["status"] == "failed" and "is gone" in run["message"]
        assert _staged(store, run_id) == 0
        assert store.reap_stale_runs() == []


@posix_only
def test_runs_command_shows_the_recovered_run(tmp_path: Path) -> None:
    from nlp.cli import main

    db = tmp_path / "r.db"
    run_id = _crashed_run(f"sqlite:///{db}")
    result = CliRunner().invoke(main, ["runs", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert f"marked abandoned run {run_id} failed" in result.output
    line = next(x for x in result.output.splitlines() if x.startswith(run_id))
    assert "failed" in line and "is gone" in line


def test_a_live_run_is_left_alone(store: Store) -> None:
    run = store.start_run(model="m-1", inputs=["live"])
    assert store.reap_stale_runs() == []
    assert store.get_run(run.run_id)["status"] == "running"


def test_another_hosts_run_waits_for_its_heartbeat(store: Store) -> None:
    run = store.start_run(model="m-1", inputs=["remote"])
    with store.write.begin() as conn:
        conn.execute(update(s.runs).where(s.runs.c.id == run.run_id).values(owner_host="elsewhere", owner_pid=1))
    assert store.reap_stale_runs() == []
    from datetime import timedelta

    assert store.reap_stale_runs(stale_after=timedelta(0)) == [run.run_id]
    assert "no heartbeat since" in store.get_run(run.run_id)["message"]


@posix_only
def test_a_reused_pid_is_not_the_owner() -> None:
    me = this_process()
    assert not is_gone(me)
    if me.token:  # /proc is there: a different start time under the same pid means a new process
        boot, started = me.token.split(":")
        assert is_gone(Owner(me.host, me.pid, f"{boot}:{int(started) + 1}"))
        parent = os.getppid()
        assert is_gone(Owner(me.host, parent, f"{boot}:0"))
    assert not is_gone(Owner("another-host", me.pid, ""))
    assert not is_gone(Owner(me.host, me.pid, "another-boot:1"))


def test_v3_adds_owner_columns_to_an_older_runs_table(tmp_path: Path) -> None:
    eng = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        with eng.begin() as conn:
            conn.execute(text("CREATE TABLE runs (id VARCHAR(32) PRIMARY KEY, status VARCHAR(16))"))
            MIGRATIONS[2](conn)
            MIGRATIONS[2](conn)  # idempotent
            cols = {c["name"] for c in inspect(conn).get_columns("runs")}
        assert {"owner_host", "owner_pid", "owner_token"} <= cols
    finally:
        eng.dispose()
