"""The HTML report and the index CLI commands (index, join, report, dedup)."""

from __future__ import annotations

import json
import math
import random
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from nlp.cli.index import COMMANDS
from nlp.index.builder import build_index, read_scored
from nlp.index.market_report import MIN_SESSIONS, analyse, write_report

D, R = "ai_disruption", "ai_returns_doubt"


def make_scored(path: Path, *, days: int = 120, seed: int = 5, burst_day: int = 70) -> Path:
    """Synthetic scored records, ~30 a day, with a burst of the disruption narrative."""
    rng = random.Random(seed)
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    with path.open("w", encoding="utf-8") as fh:
        i = 0
        for day in range(days):
            for _ in range(30):
                i += 1
                p_d = 0.6 if day == burst_day else 0.1
                labels = [n for n, p in ((D, p_d), (R, 0.1)) if rng.random() < p]
                ts = t0 + timedelta(days=day, seconds=rng.randrange(86400))
                rec = {"id": f"s{i}", "lang": rng.choice(["en", "zh-Hans", "zh-Hant"]), "published": ts.isoformat(),
                       "source": rng.choice(["Wire", "Daily", "Flash"]), "title": f"Story {i} <b>not bold</b>", "url": None,
                       "scores": {D: 0.95 if D in labels else 0.05, R: 0.9 if R in labels else 0.05},
                       "labels": labels, "intensity": {D: 0.4 if D in labels else 0.0, R: 0.3 if R in labels else 0.0},
                       "evidence": {n: [{"sentence": f"Evidence sentence for {n} in story {i}.", "start": 0, "end": 30, "score": 0.9}] for n in labels},
                       "tickers": [{"symbol": "IGV", "name": "iShares Software", "mentions": 1, "spans": [[0, 3]]}] if rng.random() < 0.2 else [],
                       "indices": [], "figures": [], "model": "test"}
                fh.write(json.dumps(rec) + "\n")
    return path


def make_prices(path: Path, *, start: str = "2025-12-01", end: str = "2026-06-30", seed: int = 9) -> Path:
    rng = random.Random(seed)
    dates = pd.bdate_range(start, end)
    rows = []
    for sym, level in (("IGV", 100.0), ("^GSPC", 6000.0)):
        for d in dates:
            level *= math.exp(rng.gauss(0, 0.01))
            rows.append((d.date().isoformat(), sym, round(level, 4)))
    pd.DataFrame(rows, columns=["Date", "Symbol", "Close"]).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def report_inputs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    scored = make_scored(tmp / "scored.jsonl")
    prices = make_prices(tmp / "prices.csv")
    return tmp, scored, prices


def test_report_is_self_contained_and_explains(report_inputs):
    from nlp.index.market import read_prices

    tmp, scored, prices = report_inputs
    result = build_index(read_scored([scored]))
    out = tmp / "report.html"
    summary = write_report(result, read_prices(prices), out, symbols=["IGV", "^GSPC"], scored=[scored])
    text = out.read_text(encoding="utf-8")
    assert text.count("<script") >= 3
    assert re.search(r"<script[^>]*\ssrc=", text) is None  # plotly.js is inline, no CDN
    assert "Plotly.newPlot" in text and len(text) > 1_000_000
    assert "How to read this" in text and "Granger" in text and "Newey-West" in text
    assert "&lt;b&gt;not bold&lt;/b&gt;" in text  # titles are escaped
    assert summary.n_sessions["IGV"] >= MIN_SESSIONS and not summary.warnings
    # The burst (day 70 = 2026-03-12) is the disruption narrative's top peak and an event with evidence.
    assert summary.peaks[D][0]["period"] == "2026-03-12"
    ev = summary.events[summary.events["narrative"] == D]
    burst = ev[ev["period"] == pd.Timestamp("2026-03-12")].iloc[0]
    assert burst["top_articles"] and burst["top_articles"][0]["evidence"].startswith("Evidence sentence")
    assert not math.isnan(burst["IGV fwd_1"])
    assert set(summary.stats["horizon"]) == {1, 5, 20}


def test_short_sample_warns(tmp_path):
    from nlp.index.market import read_prices

    scored = make_scored(tmp_path / "s.jsonl", days=30, burst_day=25)
    prices = read_prices(make_prices(tmp_path / "p.csv"))
    summary = write_report(build_index(read_scored([scored])), prices, tmp_path / "r.html", symbols=["IGV"])
    assert summary.warnings and "anecdotal" in summary.warnings[0]
    assert "anecdotal" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_analyse_finds_a_planted_lead():
    """Returns that follow the share change one session later show up at lag +1."""
    rng = random.Random(1)
    n = 300
    d_share = [rng.gauss(0, 1) for _ in range(n)]
    ret = [0.0] + [0.5 * d_share[t - 1] + rng.gauss(0, 0.5) for t in range(1, n)]
    s = pd.Series(ret)
    joined = pd.DataFrame({"narrative": D, "symbol": "X", "session": pd.bdate_range("2025-01-01", periods=n),
                           "d_share": d_share, "ret": ret, "fwd_1": s, "fwd_5": s.rolling(5).sum().shift(-4),
                           "fwd_20": s.rolling(20).sum().shift(-19)})
    stats, leadlag = analyse(joined)
    ll = leadlag.set_index("lag")["corr"]
    assert ll.idxmax() == 1 and ll[1] > 0.5 and abs(ll[0]) < 0.2
    g = stats.iloc[0]
    assert g["granger_p"] < 0.001


# -- CLI ----------------------------------------------------------------------------------------------


def _cli():
    import click

    group = click.Group("narratives")
    for cmd in COMMANDS:
        group.add_command(cmd)
    return group


def test_commands_exported():
    assert [c.name for c in COMMANDS][:3] == ["index", "join", "report"]
    runner = CliRunner()
    for cmd in COMMANDS:
        res = runner.invoke(_cli(), [cmd.name, "--help"])
        assert res.exit_code == 0 and "Example:" in res.output


def test_cli_index_join_report(report_inputs, tmp_path):
    _, scored, prices = report_inputs
    runner = CliRunner()
    idx = tmp_path / "index.csv"
    res = runner.invoke(_cli(), ["index", str(scored), "--out", str(idx), "--freq", "D", "--tz", "America/New_York"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "index.tickers.csv").exists() and (tmp_path / "index.meta.json").exists()
    res = runner.invoke(_cli(), ["join", str(idx), str(prices), "--symbols", "IGV,^GSPC", "--out", str(tmp_path / "j.parquet")])
    assert res.exit_code == 0, res.output
    joined = pd.read_parquet(tmp_path / "j.parquet")
    assert set(joined["symbol"]) == {"IGV", "^GSPC"} and {"fwd_1", "fwd_5", "fwd_20", "d_share"} <= set(joined.columns)
    res = runner.invoke(_cli(), ["report", str(idx), str(prices), "--symbols", "IGV", "--scored", str(scored), "--out", str(tmp_path / "r.html")])
    assert res.exit_code == 0, res.output
    assert "ai_disruption: peaks" in res.output and (tmp_path / "r.html").exists()


def test_cli_dedup_then_index(tmp_path):
    from tests.index.test_dedup import STORY_HANS, STORY_HANT

    arts = tmp_path / "in.jsonl"
    arts.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "a", "text": STORY_HANT, "published": "2026-02-03T09:00:00+08:00"},
        {"id": "b", "text": STORY_HANS, "published": "2026-02-03T11:00:00+08:00"},
    ]) + "\n", encoding="utf-8")
    scored = tmp_path / "s.jsonl"
    scored.write_text("\n".join(json.dumps({"id": i, "published": "2026-02-03T01:00:00+00:00", "labels": [D]}) for i in "ab") + "\n", encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(_cli(), ["dedup", str(arts), "--out", str(tmp_path / "c.csv")])
    assert res.exit_code == 0 and "1 copies" in res.output
    assert (tmp_path / "c.csv").read_text(encoding="utf-8").splitlines() == ["id,cluster", "a,a", "b,a"]
    res = runner.invoke(_cli(), ["index", str(scored), "--out", str(tmp_path / "i.csv"), "--clusters", str(tmp_path / "c.csv")])
    assert res.exit_code == 0 and "1 copies counted once" in res.output
    res = runner.invoke(_cli(), ["index", str(scored), "--out", str(tmp_path / "i2.csv"), "--articles", str(arts)])
    assert res.exit_code == 0 and "1 copies counted once" in res.output


def test_cli_errors_are_clean(tmp_path):
    res = CliRunner().invoke(_cli(), ["index", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "x.csv")])
    assert res.exit_code != 0
