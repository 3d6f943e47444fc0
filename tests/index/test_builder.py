"""The narrative index: numbers equal a hand computation; copies count once; scaling; outputs."""

from __future__ import annotations

import json
import math
from datetime import date

import pytest

from nlp.errors import ConfigError
from nlp.index.builder import build_index, read_scored
from nlp.index.periods import period_end, period_start
from nlp.index.tables import companion_paths, read_index, write_index

D, R = "ai_disruption", "ai_returns_doubt"


def rec(i, published, labels=(), intensity=None, source="A", lang="en", tickers=(), **extra):
    return {"id": f"a{i}", "published": published, "labels": list(labels), "source": source, "lang": lang,
            "intensity": intensity or {}, "tickers": [{"symbol": t, "name": t, "mentions": 1, "spans": []} for t in tickers],
            "scores": {D: 0.9 if D in labels else 0.1, R: 0.9 if R in labels else 0.1}, **extra}


def rows(result, narrative):
    return result.index[result.index["narrative"] == narrative].set_index("period")


# A small batch computed by hand:
# 2026-02-02: 4 articles, 2 disruption (intensity 0.5, 0.3; others 0.1, 0) -> share 0.5, intensity 0.225
#             1 returns-doubt (0.8) -> share 0.25, intensity 0.2
# 2026-02-03: 2 articles, 0 disruption -> share 0, intensity 0
# 2026-02-04: no articles -> share NaN
# 2026-02-05: 1 article, disruption (0.6) -> share 1, intensity 0.6
SMALL = [
    rec(1, "2026-02-02T01:00:00+00:00", [D], {D: 0.5}),
    rec(2, "2026-02-02T10:00:00+08:00", [D, R], {D: 0.3, R: 0.8}),  # 02:00 UTC
    rec(3, "2026-02-02T23:59:00+00:00", [], {D: 0.1}),
    rec(4, "2026-02-02T12:00:00-05:00", []),  # 17:00 UTC
    rec(5, "2026-02-03T00:00:00+00:00", []),
    rec(6, "2026-02-03T08:00:00+00:00", []),
    rec(7, "2026-02-05T08:00:00+00:00", [D], {D: 0.6}),
    rec(8, None, [D]),  # undated: left out
]


def test_hand_computation():
    r = build_index(SMALL, window=3, min_periods=2, span=3)
    d = rows(r, D)
    assert list(d.index.date) == [date(2026, 2, 2), date(2026, 2, 3), date(2026, 2, 4), date(2026, 2, 5)]
    assert list(d["n_articles"]) == [4, 2, 0, 1]
    assert list(d["n_labelled"]) == [2, 0, 0, 1]
    assert d["share"].iloc[0] == 0.5 and d["share"].iloc[1] == 0.0 and math.isnan(d["share"].iloc[2])
    assert d["intensity"].iloc[0] == pytest.approx(0.225)
    assert d["intensity"].iloc[3] == pytest.approx(0.6)
    # z on 02-05: prior shares (NaN skipped) 0.5, 0.0 -> mean 0.25, std 0.35355
    assert d["z"].iloc[3] == pytest.approx((1.0 - 0.25) / math.sqrt(0.125))
    assert d["z"].iloc[:3].isna().all()
    # EWMA, span 3 (alpha 0.5, adjusted weights, gaps ignored): 0.5; (0*1 + 0.5*0.5)/1.5; carried; ...
    assert d["ewma"].iloc[0] == pytest.approx(0.5)
    assert d["ewma"].iloc[1] == pytest.approx(0.25 / 1.5)
    assert d["ewma"].iloc[3] == pytest.approx((1 + 0.5 * 0 + 0.25 * 0.5) / 1.75)
    q = rows(r, R)
    assert q["share"].iloc[0] == 0.25 and q["intensity"].iloc[0] == pytest.approx(0.2)
    assert r.meta["n_records"] == 8 and r.meta["n_undated"] == 1 and r.meta["n_counted"] == 7


def test_timezone_moves_articles_between_days():
    r = build_index(SMALL, tz="Asia/Shanghai", window=3, min_periods=2)
    d = rows(r, D)
    # 02-02 23:59 UTC is 02-03 07:59 in Shanghai; 02-02 17:00 UTC is 02-03 01:00.
    assert d.loc["2026-02-02", "n_articles"] == 2
    assert d.loc["2026-02-03", "n_articles"] == 4


@pytest.mark.parametrize(
    "freq, day, start, end",
    [("D", date(2026, 2, 5), date(2026, 2, 5), date(2026, 2, 6)),
     ("W", date(2026, 2, 5), date(2026, 2, 2), date(2026, 2, 9)),
     ("M", date(2026, 12, 5), date(2026, 12, 1), date(2027, 1, 1))],
    ids=["day", "week-from-monday", "month-over-year-end"],
)
def test_periods(freq, day, start, end):
    from datetime import UTC, datetime

    assert period_start(datetime(day.year, day.month, day.day, 12, tzinfo=UTC), freq=freq) == start
    assert period_end(start, freq=freq) == end


def test_weekly_index():
    r = build_index(SMALL, freq="W", window=3, min_periods=2)
    d = rows(r, D)
    assert list(d.index.date) == [date(2026, 2, 2)]
    assert d["n_articles"].iloc[0] == 7 and d["n_labelled"].iloc[0] == 3


def test_syndicated_copies_count_once():
    base = [rec(1, "2026-02-02T01:00:00+00:00", [D]), rec(2, "2026-02-02T03:00:00+00:00", [])]
    copies = [rec(3, "2026-02-02T02:00:00+00:00", [D], cluster="a1"), rec(4, "2026-02-03T09:00:00+00:00", [D], cluster="a1")]
    r = build_index(base + copies, window=3, min_periods=2)
    d = rows(r, D)
    assert d.loc["2026-02-02", "n_articles"] == 2 and d.loc["2026-02-02", "n_labelled"] == 1
    assert "2026-02-03" not in d.index.strftime("%Y-%m-%d")  # the only article that day is a copy
    nov = r.novelty.set_index("id")
    assert bool(nov.loc["a1", "novel"]) and bool(nov.loc["a1", "counted"])
    assert not nov.loc["a3", "novel"] and not nov.loc["a3", "counted"]  # 1 h after its leader
    assert nov.loc["a4", "novel"] and not nov.loc["a4", "counted"]  # 30 h after the previous copy
    assert r.meta["n_copies"] == 2


def test_clusters_map_and_missing_leader():
    recs = [rec(2, "2026-02-02T05:00:00+00:00", [D]), rec(3, "2026-02-02T04:00:00+00:00", [D])]
    r = build_index(recs, clusters={"a2": "a1", "a3": "a1"}, window=3, min_periods=2)
    d = rows(r, D)
    assert d["n_articles"].sum() == 1  # leader a1 was not scored: its earliest copy stands in
    assert set(r.novelty.loc[r.novelty["counted"], "id"]) == {"a3"}


def test_breakdowns_and_tickers():
    recs = [rec(1, "2026-02-02T01:00:00+00:00", [D], lang="zh-Hant", source="X", tickers=("NVDA", "MSFT")),
            rec(2, "2026-02-02T02:00:00+00:00", [], lang="en", source="Y", tickers=("NVDA",)),
            rec(3, "2026-02-02T03:00:00+00:00", [D, R], lang="en", source="Y")]
    r = build_index(recs, window=3, min_periods=2)
    bl = r.by_lang[(r.by_lang["narrative"] == D)].set_index("lang")
    assert bl.loc["en", "n_articles"] == 2 and bl.loc["en", "n_labelled"] == 1 and bl.loc["zh-Hant", "share"] == 1.0
    bs = r.by_source[(r.by_source["narrative"] == R)].set_index("source")
    assert bs.loc["Y", "share"] == 0.5 and bs.loc["X", "n_labelled"] == 0
    t = r.tickers.set_index(["ticker", "narrative"])["n_articles"]
    assert t[("NVDA", "all")] == 2 and t[("NVDA", D)] == 1 and t[("MSFT", D)] == 1
    assert ("NVDA", R) not in t.index


def _two_outlets(spike_source: str):
    """Outlet BIG (100 articles a day, 8/10/12 labelled in turn) and SMALL (10 a day, 0/1/2
    labelled): the same relative noise at a tenth of the volume. On day 40 one outlet's share
    jumps by six of its own standard deviations (BIG to 20/100, SMALL to 6/10)."""
    recs, i = [], 0
    for day in range(45):
        ts = f"2026-01-{1 + day:02d}T12:00:00+00:00" if day < 31 else f"2026-02-{day - 30:02d}T12:00:00+00:00"
        for source, n, pattern, spike in (("BIG", 100, (8, 10, 12), 20), ("SMALL", 10, (0, 1, 2), 6)):
            k = spike if (day == 40 and source == spike_source) else pattern[day % 3]
            for j in range(n):
                i += 1
                recs.append(rec(i, ts, [D] if j < k else [], source=source))
    return recs


def test_per_source_scaling_stops_a_big_outlet_dominating():
    spike_day = "2026-02-10"

    def z(source, scaling):
        return rows(build_index(_two_outlets(source), per_source_scaling=scaling), D).loc[spike_day, "z"]

    # Pooled, the big outlet sets the index: the same six-sigma surprise counts half as much
    # when the small outlet has it.
    assert z("SMALL", False) / z("BIG", False) < 0.6
    # Scaled, each outlet counts relative to its own noise: the two spikes weigh the same.
    assert z("SMALL", True) / z("BIG", True) == pytest.approx(1.0, abs=0.1)
    assert z("SMALL", True) > 2


def test_scaled_column_is_mean_100():
    r = build_index(_two_outlets("BIG"), per_source_scaling=True)
    d = rows(r, D)
    assert d["scaled"].mean() == pytest.approx(100.0)
    assert r.meta["basis"] == "scaled"


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_write_and_read_back(tmp_path, suffix):
    r = build_index(SMALL + [rec(9, "2026-02-02T05:00:00+00:00", [D], tickers=("IGV",))], window=3, min_periods=2)
    out = tmp_path / f"idx{suffix}"
    paths = write_index(r, out)
    assert paths == companion_paths(out)
    assert all(p.exists() for p in paths.values())
    assert not list(tmp_path.glob("*.tmp")), "atomic writes leave no temp files"
    back = read_index(out)
    assert back.meta["freq"] == "D" and back.meta["tz"] == "UTC"
    assert back.index["n_articles"].tolist() == r.index["n_articles"].tolist()
    assert back.index["period"].dt.date.tolist() == r.index["period"].dt.date.tolist()
    assert back.tickers["ticker"].tolist() == ["IGV", "IGV"]


def test_read_scored_skips_bad_lines(tmp_path):
    p = tmp_path / "s.jsonl"
    p.write_text(json.dumps(SMALL[0]) + "\nnot json\n[1]\n\n" + json.dumps(SMALL[1]) + "\n", encoding="utf-8")
    stats: dict[str, int] = {}
    assert [x["id"] for x in read_scored([p], stats=stats)] == ["a1", "a2"]
    assert stats["bad"] == 2


@pytest.mark.parametrize("kw, match", [({"freq": "Q"}, "freq"), ({"tz": "Mars/Base"}, "tz"), ({"window": 3, "min_periods": 5}, "min_periods"), ({"span": 0}, "span")])
def test_bad_options(kw, match):
    with pytest.raises(ConfigError, match=match):
        build_index(SMALL, **kw)


def test_bad_output_suffix(tmp_path):
    with pytest.raises(ConfigError, match=".parquet or .csv"):
        write_index(build_index(SMALL), tmp_path / "x.xlsx")
