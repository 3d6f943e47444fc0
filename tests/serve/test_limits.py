"""Limits on ``POST /v1/score``: body bytes (a readable 413, also over a real socket), records per
request with and without the key, unkeyed requests at once (429), and the per-record markup limit."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from nlp.serve.app import create_app
from tests.serve.test_dashboard_browser import free_port

KEY = "limits-key"
ARTICLE = {"id": "p1", "text": "Software stocks fell as AI agents threatened SaaS revenue.", "published": "2026-02-04"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    return create_app(store_url=tmp_path_factory.mktemp("lim") / "l.db", api_key=KEY, extract=False, public_concurrency=2)


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app) as c:
        yield c


def _articles(n: int) -> dict:
    return {"articles": [{**ARTICLE, "id": f"p{i}"} for i in range(n)]}


def test_records_per_request_depend_on_the_key(client: TestClient) -> None:
    assert client.post("/v1/score", json=_articles(20)).status_code == 200
    res = client.post("/v1/score", json=_articles(21))
    assert res.status_code == 413 and "at most 20 without X-API-Key (with it: 100)" in res.json()["error"]
    assert client.post("/v1/score", json=_articles(21), headers={"X-API-Key": KEY}).status_code == 200
    res = client.post("/v1/score", json=_articles(101), headers={"X-API-Key": KEY})
    assert res.status_code == 413 and "at most 100" in res.json()["error"]


def test_unkeyed_requests_over_the_concurrency_limit_get_429_at_once(app, client: TestClient) -> None:
    state = app.state.narratives
    assert state.public_slots.acquire(blocking=False) and state.public_slots.acquire(blocking=False)  # two in flight
    try:
        res = client.post("/v1/score", json=_articles(1))
        assert res.status_code == 429 and res.headers["Retry-After"] == "2"
        assert res.json() == {"ok": False, "status": 429, "error": res.json()["error"]} and "retry" in res.json()["error"]
        assert client.post("/v1/score", json=_articles(1), headers={"X-API-Key": KEY}).status_code == 200  # keyed: not capped
    finally:
        state.public_slots.release()
        state.public_slots.release()
    assert client.post("/v1/score", json=_articles(1)).status_code == 200


def test_concurrent_unkeyed_requests_are_capped_for_real(app, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Slow scoring held by two requests: a third unkeyed one is refused, not queued."""
    gate, entered = threading.Event(), threading.Semaphore(0)
    scorer = app.state.narratives.scorer
    real = scorer.score

    def slow(articles, errors):
        entered.release()
        gate.wait(20)
        return real(articles, errors)

    monkeypatch.setattr(scorer, "score", slow)
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(client.post("/v1/score", json=_articles(1)).status_code)) for _ in range(2)]
    for t in threads:
        t.start()
    assert entered.acquire(timeout=10) and entered.acquire(timeout=10)  # both slow requests are scoring
    third = client.post("/v1/score", json=_articles(1))
    gate.set()
    for t in threads:
        t.join(timeout=30)
    assert third.status_code == 429 and sorted(results) == [200, 200]


def test_a_record_with_too_much_markup_is_reported_not_scored(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from nlp.text import normalize as norm

    monkeypatch.setattr(norm, "MAX_MARKUP_TOKENS", 100)
    heavy = {"id": "heavy", "text": "<b>AI</b> software " * 200}
    body = client.post("/v1/score", json={"articles": [ARTICLE, heavy]}).json()
    assert [r["id"] for r in body["records"]] == ["p1"]
    assert body["errors"][0]["id"] == "heavy" and "HTML tags" in body["errors"][0]["reason"]


def _raw_post(port: int, body_len: int, *, chunked: bool) -> bytes:
    """Send a JSON body of ``body_len`` bytes over a plain socket, then read what comes back."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        framing = b"Transfer-Encoding: chunked" if chunked else b"Content-Length: %d" % body_len
        s.sendall(b"POST /v1/score HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n" + framing + b"\r\n\r\n")
        piece = b"x" * 65536
        sent = 0
        while sent < body_len:
            s.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            sent += len(piece)
        if chunked:
            s.sendall(b"0\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < 60:
            got = s.recv(65536)
            if not got:
                break
            data += got
        return data


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_an_oversized_body_gets_a_readable_413_over_a_socket(tmp_path: Path, chunked: bool) -> None:
    import uvicorn

    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(store_url=tmp_path / "s.db"), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not srv.started:
            assert time.monotonic() < deadline and thread.is_alive()
            time.sleep(0.05)
        reply = _raw_post(port, 8 << 20, chunked=chunked)
        head, _, body = reply.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 413"), reply[:200]
        assert json.loads(body) == {"ok": False, "error": "request body over 1000000 bytes", "status": 413}
    finally:
        srv.should_exit = True
        thread.join(timeout=10)
