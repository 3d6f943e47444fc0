"""The report in a real headless Chromium: no console errors, charts hold data, a screenshot.

Needs the Debian ``chromium`` package (``apt-get install -y chromium``) and playwright-python.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nlp.paths import REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is missing: apt-get install -y chromium"),
]


def test_report_renders_in_chromium(tmp_path):
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    from nlp.index.builder import build_index, read_scored
    from nlp.index.market import read_prices
    from nlp.index.market_report import write_report
    from tests.index.test_market_report import make_prices, make_scored

    scored = make_scored(tmp_path / "scored.jsonl")
    prices = read_prices(make_prices(tmp_path / "prices.csv"))
    out = tmp_path / "report.html"
    write_report(build_index(read_scored([scored])), prices, out, symbols=["IGV", "^GSPC"], scored=[scored])

    errors: list[str] = []
    requests: list[str] = []
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(out.as_uri(), wait_until="load")
            page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length > 0", timeout=30_000)
            charts = page.evaluate(
                """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd => ({
                    traces: gd.data.length,
                    // calcdata: the points plotly computed per trace (x may be a typed-array spec)
                    points: gd.calcdata.reduce((n, cd) => n + cd.length, 0),
                    drawn: gd.querySelectorAll('.point, .trace path, .bars path').length,
                }))"""
            )
            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot), full_page=False)
        finally:
            browser.close()

    assert not errors, f"console errors: {errors}"
    assert not [u for u in requests if not u.startswith(("file:", "data:", "about:"))], "the report fetched from the network"
    assert len(charts) == 4  # per narrative: index against prices, lead/lag
    assert all(c["traces"] >= 1 and c["points"] > 10 and c["drawn"] > 0 for c in charts), charts
    assert shot.stat().st_size > 10_000
    out_dir = REPO_ROOT / "out"
    if out_dir.is_dir():
        shutil.copy(shot, out_dir / "report_browser.png")
