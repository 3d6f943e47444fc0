"""The HTTP API through TestClient: reads, paging, auth, limits, and errors that are never 500."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp.serve.app import create_app
from nlp.store import Store
from tests.store.conftest import scored

KEY = "test-key"
#: Extraction is someone else's module; scoring tests use it when it is there.
EXTRACT = True  # the product path: scoring with extraction
START = date(2026, 1, 5)


def _fill(url: str) -> None:
    records = []
    for i in range(40):
        day = (START + timedelta(days=i)).isoformat()
        for j in range(2):
            labels = ("ai_returns_doubt",) if (i + j) % 3 == 0 else ()
            records.append(scored(f"r{i}-{j}", day, labels=labels, model="narratives-2026.1",
                                  tickers=(("MSFT", 1),) if j == 0 else (), lang="zh-Hant" if j else "en"))
    with Store(url) as st:
        run = st.start_run(model="narratives-2026.1", inputs=["fixture"])
        st.stage(run, [(r, "h") for r in records])
        st.finish_run(run)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('api') / 'api.db'}"
    _fill(url)
    return url


@pytest.fixture(scope="module")
def market(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("market") / "closes.csv"
    lines = ["date,symbol,close"] + [f"{START + timedelta(days=i)},MSFT,{400 + i}" for i in range(40)] + ["not-a-date,MSFT,1"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def client(db: str, market: Path):
    with TestClient(create_app(store_url=db, api_key=KEY, market_path=market, extract=EXTRACT)) as c:
        yield c


def _error(res, status: int, match: str) -> None:
    assert res.status_code == status, res.text
    body = res.json()
    assert body["ok"] is False and body["status"] == status, body
    assert match in body["error"], body


def test_health_and_docs(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["ok"] and body["database"] == "sqlite" and body["model"] == "narratives-2026.1"
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/index", "/v1/articles", "/v1/tickers/{symbol}", "/v1/score", "/health"} <= paths.keys()


def test_openapi_operations_are_stable(client: TestClient) -> None:
    # The routes live in one router per resource; the documented API is the same whole: these
    # paths in this order, each with its tag, and the key header on every /v1 read.
    paths = client.get("/openapi.json").json()["paths"]
    got = [(path, method, op["tags"], "security" in op) for path, ops in paths.items() for method, op in ops.items()]
    assert got == [
        ("/health", "get", ["meta"], False),
        ("/v1/index", "get", ["index"], True),
        ("/v1/articles", "get", ["articles"], True),
        ("/v1/tickers/{symbol}", "get", ["tickers"], True),
        ("/v1/runs", "get", ["meta"], True),
        ("/v1/score", "post", ["score"], True),
        ("/v1/market", "get", ["market"], True),
        ("/v1/market/{symbol}", "get", ["market"], True),
    ]
    params = [p["name"] for p in paths["/v1/index"]["get"]["parameters"]]
    assert params == ["narrative", "from", "to", "freq", "source", "lang", "model"]


def test_index_rows(client: TestClient) -> None:
    body = client.get("/v1/index", params={"narrative": "ai_returns_doubt", "from": "2026-01-10", "to": "2026-01-20"}).json()
    rows = body["rows"]
    assert len(rows) == 11 and rows[0]["date"] == "2026-01-10"
    assert set(rows[0]) == {"narrative", "date", "n_articles", "n_labelled", "share", "intensity", "z", "ewma"}
    assert all(r["n_articles"] == 2 for r in rows)
    weekly = client.get("/v1/index", params={"freq": "W", "lang": "en"}).json()["rows"]
    assert {r["narrative"] for r in weekly} == {"ai_disruption", "ai_returns_doubt"}
    assert weekly[0]["n_articles"] == 7


@pytest.mark.parametrize(
    "params, status, match",
    [
        ({"narrative": "ai_hype"}, 422, "narrative"),
        ({"from": "2026-13-01"}, 422, "from"),
        ({"from": "yesterday"}, 422, "from"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, 422, "is after"),
        ({"freq": "Q"}, 422, "freq"),
        ({"model": "nope"}, 404, "`model` = 'nope'"),
    ],
    ids=["narrative", "month-13", "word", "reversed", "freq", "model"],
)
def test_index_bad_parameters(client: TestClient, params: dict, status: int, match: str) -> None:
    _error(client.get("/v1/index", params=params), status, match)


def test_articles_cursor_and_offset_paging(client: TestClient) -> None:
    ids, cursor = [], None
    while True:
        body = client.get("/v1/articles", params={"from": "2026-01-05", "to": "2026-01-14", "limit": 6, "cursor": cursor}).json()
        ids += [a["id"] for a in body["articles"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(ids) == len(set(ids)) == 20
    second = client.get("/v1/articles", params={"from": "2026-01-05", "to": "2026-01-14", "limit": 3, "offset": 3}).json()["articles"]
    assert [a["id"] for a in second] == ids[3:6]
    _error(client.get("/v1/articles", params={"cursor": "nonsense"}), 422, "cursor")
    _error(client.get("/v1/articles", params={"limit": 0}), 422, "limit")


def test_articles_filters(client: TestClient) -> None:
    doubt = client.get("/v1/articles", params={"narrative": "ai_returns_doubt", "limit": 500}).json()["articles"]
    assert doubt and all("ai_returns_doubt" in a["labels"] for a in doubt)
    msft = client.get("/v1/articles", params={"ticker": "msft", "limit": 500}).json()["articles"]
    assert len(msft) == 40 and all(a["lang"] == "en" for a in msft)


def test_ticker_series(client: TestClient) -> None:
    body = client.get("/v1/tickers/MSFT", params={"from": "2026-01-05", "to": "2026-01-11"}).json()
    assert body["symbol"] == "MSFT" and len(body["rows"]) == 7
    assert body["rows"][0] == {"date": "2026-01-05", "n_articles": 1, "mentions": 1, "labelled": {"ai_disruption": 0, "ai_returns_doubt": 1}}
    _error(client.get("/v1/tickers/NOPE"), 404, "NOPE")


def test_market_series_skips_bad_rows(client: TestClient) -> None:
    assert client.get("/v1/market").json()["symbols"] == ["MSFT"]
    rows = client.get("/v1/market/msft", params={"from": "2026-01-06", "to": "2026-01-07"}).json()["rows"]
    assert rows == [{"date": "2026-01-06", "close": 401.0}, {"date": "2026-01-07", "close": 402.0}]
    _error(client.get("/v1/market/XYZ"), 404, "XYZ")


def test_dashboard_and_static_files(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "/static/plotly.min.js" in page.text
    assert "Plotly" in client.get("/static/plotly.min.js").text[:5000]
    assert client.get("/static/app.js").headers["content-type"].startswith("text/javascript")
    _error(client.get("/static/secret.txt"), 404, "no static file")
    assert client.get("/static/..%2Fapi.py").status_code == 404


def test_unknown_route_and_method_use_the_envelope(client: TestClient) -> None:
    _error(client.get("/v2/nothing"), 404, "Not Found")
    _error(client.delete("/v1/index"), 405, "Method Not Allowed")


# -- POST /v1/score -------------------------------------------------------------------------------

ARTICLE = {"id": "p1", "title": "SaaS selloff", "text": "Software stocks fell as AI agents threatened SaaS revenue.", "published": "2026-03-02"}


@pytest.mark.parametrize(
    "headers, status, match",
    [({}, 401, "X-API-Key"), ({"X-API-Key": "wrong"}, 401, "X-API-Key")],
    ids=["missing", "wrong"],
)
def test_store_needs_the_key(client: TestClient, headers: dict, status: int, match: str) -> None:
    _error(client.post("/v1/score", params={"store": "true"}, json={"articles": [ARTICLE]}, headers=headers), status, match)


def test_writes_are_refused_without_a_configured_key(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NARRATIVES_API_KEY", raising=False)
    with TestClient(create_app(store_url=db)) as c:
        _error(c.post("/v1/score?store=true", json={"articles": [ARTICLE]}, headers={"X-API-Key": "x"}), 403, "no API key")


def test_score_without_store_stores_nothing(client: TestClient) -> None:
    before = client.get("/v1/runs").json()["runs"]
    body = client.post("/v1/score", json={"articles": [ARTICLE]}).json()
    assert body["ok"] and body["run"] is None
    (rec,) = body["records"]
    assert rec["id"] == "p1" and rec["model"] == "narratives-2026.1" and "ai_disruption" in rec["scores"]
    assert client.get("/v1/runs").json()["runs"] == before


def test_score_and_store_one_run(tmp_path: Path) -> None:
    with TestClient(create_app(store_url=tmp_path / "w.db", api_key=KEY, extract=EXTRACT)) as c:
        second = {**ARTICLE, "id": "p2", "published": "not a date"}
        body = c.post("/v1/score?store=true", json={"articles": [ARTICLE, second]}, headers={"X-API-Key": KEY}).json()
        assert body["run"]["status"] == "done" and body["run"]["new"] == 1
        assert body["errors"] == [{"index": 2, "id": "p2", "reason": body["errors"][0]["reason"]}]
        assert "bad date" in body["errors"][0]["reason"]
        assert [a["id"] for a in c.get("/v1/articles").json()["articles"]] == ["p1"]
        again = c.post("/v1/score?store=true", json={"articles": [ARTICLE]}, headers={"X-API-Key": KEY}).json()
        assert again["run"]["new"] == 0


@pytest.mark.parametrize(
    "body, status, match",
    [
        (b'{"articles": [', 400, "malformed JSON"),
        (b'{"articles": [{"id": "x"}]}', 422, "text"),
        (b'{"articles": []}', 400, "empty"),
        (b'{"articles": [{"text": "t", "published": "2026-02-30"}]}', 422, "no record could be scored"),
        (b'{"articles": [{"text": "t", "lang": "fr"}]}', 422, "unknown lang"),
        (b'[1, 2]', 422, "body: Input should be a valid dictionary"),
        (json.dumps({"articles": [{"id": str(i), "text": "t"} for i in range(21)]}).encode(), 413, "at most 20 without X-API-Key"),
        (json.dumps({"articles": [{"text": "x" * 1_100_000}]}).encode(), 413, "over 1000000 bytes"),
    ],
    ids=["truncated", "no-text", "empty", "bad-date", "bad-lang", "not-object", "too-many", "too-big"],
)
def test_score_bad_bodies(client: TestClient, body: bytes, status: int, match: str) -> None:
    res = client.post("/v1/score", content=body, headers={"Content-Type": "application/json"})
    _error(res, status, match)


def test_chunked_oversized_body_is_refused(client: TestClient) -> None:
    def chunks():
        for _ in range(20):
            yield b"x" * 100_000

    _error(client.post("/v1/score", content=chunks(), headers={"Content-Type": "application/json"}), 413, "over")


def test_private_reads_need_the_key(db: str) -> None:
    with TestClient(create_app(store_url=db, api_key=KEY, public_reads=False)) as c:
        _error(c.get("/v1/index"), 401, "X-API-Key")
        assert c.get("/v1/index", headers={"X-API-Key": KEY}).status_code == 200
        assert c.get("/health").status_code == 200


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["from", "to", "freq", "narrative", "lang", "source", "model", "limit", "offset", "cursor", "ticker"]),
                       st.text(max_size=30), max_size=5),
       st.sampled_from(["/v1/index", "/v1/articles", "/v1/tickers/MSFT"]))
def test_no_query_string_gives_a_500(client: TestClient, params: dict, path: str) -> None:
    res = client.get(path, params=params)
    assert res.status_code < 500, (params, res.text)
    assert res.json()["ok"] is (res.status_code == 200)
