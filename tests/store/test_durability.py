"""Durability: a real ``narratives ingest`` killed with SIGKILL mid-run loses nothing committed and
never exposes a half-written run, while the API keeps serving consistent reads.

Scoring runs with ``--no-extract``: what is under test is the store's run protocol, and the
short synthetic sentences here name no tickers anyway.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from nlp.store import Store
from nlp.store import schema as s
from tests.serve.test_dashboard_browser import free_port

SENTENCES = [
    "Software stocks fell as AI agents threatened SaaS revenue at company {i}.",
    "Chip makers raised capex again and analysts questioned whether AI spending will pay off for firm {i}.",
    "The central bank held rates steady on day {i}.",
    "A retailer opened new stores in region {i}.",
]


def _write(path: Path, n: int, *, prefix: str) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            text = SENTENCES[i % 4].format(i=i) + " " + SENTENCES[(i // 4) % 4].format(i=i)
            fh.write(json.dumps({"id": f"{prefix}{i}", "text": text, "published": f"2026-01-{1 + i % 28:02d}T10:00:00Z"}) + "\n")
    return path


def _ingest_cmd(src: Path, db: Path, chunk: int) -> list[str]:
    return [sys.executable, "-m", "nlp", "ingest", str(src), "--db", str(db), "--no-extract", "--chunk-size", str(chunk), "--json"]


def _count(store: Store, table, *where) -> int:
    with store.read.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


@pytest.fixture
def api(tmp_path: Path):
    """The API served by uvicorn in a thread over ``tmp_path/d.db``."""
    import uvicorn

    from nlp.serve.app import create_app

    db = tmp_path / "d.db"
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(store_url=str(db)), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    yield db, f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


class Reader(threading.Thread):
    """Polls the index and the first page of articles, recording every total it sees."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base = base
        self.totals: list[int] = []
        self.failures: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=10) as c:
            while not self.stop.is_set():
                r = c.get("/v1/index", params={"narrative": "ai_disruption"})
                a = c.get("/v1/articles", params={"limit": 5})
                if r.status_code != 200 or a.status_code != 200:
                    self.failures.append(f"{r.status_code} {a.status_code}: {r.text[:200]}")
                else:
                    self.totals.append(sum(row["n_articles"] for row in r.json()["rows"]))
                time.sleep(0.01)


def test_kill_9_mid_run_exposes_nothing_half_written(api, tmp_path: Path) -> None:
    db, base = api
    baseline = subprocess.run(_ingest_cmd(_write(tmp_path / "a.jsonl", 200, prefix="a"), db, 50), capture_output=True, text=True, timeout=120)
    assert baseline.returncode == 0, baseline.stderr
    reader = Reader(base)
    reader.start()
    big = _write(tmp_path / "b.jsonl", 6000, prefix="b")
    store = Store(db)
    try:
        proc = subprocess.Popen(_ingest_cmd(big, db, 50), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while _count(store, s.stage_articles) < 150:  # at least three committed chunks
            assert proc.poll() is None, "ingest finished before it could be killed: make the input larger"
            assert time.monotonic() < deadline, "ingest staged nothing"
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()

        runs = {r["status"]: r for r in store.list_runs()}
        assert set(runs) == {"done", "running"}  # the killed run is "running" until the next start, never "done"
        killed = runs["running"]
        assert _count(store, s.articles) == 200  # committed data intact, nothing of the killed run
        assert _count(store, s.articles, s.articles.c.run_id == killed["id"]) == 0
        assert _count(store, s.stage_articles, s.stage_articles.c.run_id == killed["id"]) >= 150  # staged, invisible
        time.sleep(0.2)
        assert set(reader.totals) == {200}

        done = subprocess.run(_ingest_cmd(big, db, 500), capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stderr
        summary = json.loads(done.stdout)
        assert (summary["status"], summary["new"]) == ("done", 6000)
        # The next ingest found the killed run's process gone: failed at once, its staged rows swept.
        assert f"marked abandoned run {killed['id']} failed" in done.stderr
        after = store.get_run(killed["id"])
        assert after["status"] == "failed" and "is gone" in after["message"]
        assert _count(store, s.stage_articles) == 0
        time.sleep(0.2)
    finally:
        reader.stop.set()
        reader.join(timeout=10)
        store.close()
    assert reader.failures == []
    assert set(reader.totals) == {200, 6200}, "a reader saw a partly applied run"
    assert reader.totals[-1] == 6200
