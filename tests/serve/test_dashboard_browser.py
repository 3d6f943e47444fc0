"""The dashboard in real headless Chromium: loads cleanly, draws points, follows the date range."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from nlp.store import Store
from tests.store.conftest import scored

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (apt-get install -y chromium)"),
]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
START = date(2025, 11, 1)
DAYS = 90


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The API + dashboard over a 90-day store and a market CSV, served by uvicorn in a thread."""
    import uvicorn

    from nlp.serve.app import create_app

    root = tmp_path_factory.mktemp("dash")
    db = root / "dash.db"
    records = []
    for i in range(DAYS):
        day = (START + timedelta(days=i)).isoformat()
        for j in range(4):
            labels = tuple(n for k, n in enumerate(("ai_disruption", "ai_returns_doubt")) if (i + j + k) % (3 + k) == 0)
            records.append(scored(f"b{i}-{j}", day, labels=labels, tickers=(("NVDA", 1 + j),) if j < 2 else (),
                                  model="narratives-2026.1"))
    with Store(db) as st:
        run = st.start_run(model="narratives-2026.1", inputs=["browser"])
        st.stage(run, [(r, "h") for r in records])
        st.finish_run(run)
    market = root / "market.csv"
    market.write_text("date,symbol,close\n" + "".join(f"{START + timedelta(days=i)},NVDA,{150 + (i % 7)}\n" for i in range(DAYS)), encoding="utf-8")
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(store_url=str(db), market_path=market), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def test_dashboard_draws_and_follows_the_date_range(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
            page.goto(server + "/", wait_until="networkidle")
            page.wait_for_function("window.dashboardState.renders >= 1 && window.dashboardState.day !== null", timeout=20_000)

            state = page.evaluate("window.dashboardState")
            assert state["points"] == 2 * DAYS
            traces = page.evaluate("document.getElementById('chart').data.map(t => [t.name, t.x.length])")
            assert [n for _, n in traces] == [DAYS, DAYS, DAYS] and traces[2][0] == "NVDA close"
            assert page.locator(".main-svg .scatterlayer .point").count() > 0  # drawn, not only held
            assert page.locator("#evidence li").count() > 0
            assert "NVDA" in page.locator("#tickers").inner_text()

            renders = state["renders"]
            page.fill("#from", (START + timedelta(days=60)).isoformat())
            page.dispatch_event("#from", "change")
            page.wait_for_function(f"window.dashboardState.renders > {renders}", timeout=10_000)
            page.wait_for_load_state("networkidle")
            assert page.evaluate("window.dashboardState.points") == 2 * (DAYS - 60)
            first_x = page.evaluate("document.getElementById('chart').data[0].x[0]")
            assert first_x == (START + timedelta(days=60)).isoformat()

            page.fill("#day", (START + timedelta(days=70)).isoformat())
            page.dispatch_event("#day", "change")
            page.wait_for_function(f"window.dashboardState.day === '{START + timedelta(days=70)}'", timeout=10_000)
            page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
        finally:
            browser.close()
    assert (tmp_path / "dashboard.png").stat().st_size > 10_000
    assert problems == []
