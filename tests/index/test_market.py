"""Market data: calendars, the next-session rule, price files, returns and the join."""

from __future__ import annotations

import pandas as pd
import pytest

from nlp.errors import InputError, MissingDependencyError
from nlp.index.market import (
    add_returns,
    calendar_for,
    join_index,
    map_to_sessions,
    next_session,
    read_prices,
)


@pytest.mark.parametrize(
    "symbol, code",
    [("IGV", "XNYS"), ("^GSPC", "XNYS"), ("NVDA", "XNYS"), ("005930.KS", "XKRX"), ("^KS11", "XKRX"),
     ("9984.T", "XTKS"), ("^N225", "XTKS"), ("0700.HK", "XHKG"), ("^HSI", "XHKG"), ("600519.SS", "XSHG"),
     ("000300.SS", "XSHG"), ("000001.SZ", "XSHE"), ("2330.TW", "XTAI"), ("^TWII", "XTAI"), ("BTC-USD", "24/7")],
)
def test_calendar_for(symbol, code):
    assert calendar_for(symbol) == code


@pytest.mark.parametrize(
    "ts, symbol, session",
    [
        ("2026-01-09T18:30:00-05:00", "IGV", "2026-01-12"),  # Friday evening, New York -> Monday
        ("2026-01-10T11:00:00+00:00", "^GSPC", "2026-01-12"),  # Saturday
        ("2026-01-12T09:29:00-05:00", "IGV", "2026-01-12"),  # before the open -> that session
        ("2026-01-12T09:30:00-05:00", "IGV", "2026-01-13"),  # at the open -> next (open must be > t)
        ("2026-01-12T11:00:00-05:00", "IGV", "2026-01-13"),  # during the session -> next session
        ("2025-10-07T10:00:00+09:00", "005930.KS", "2025-10-10"),  # Chuseok (10-06..08) + Hangul Day
        ("2025-10-03T20:00:00+09:00", "^KS11", "2025-10-10"),  # National Foundation Day, then Chuseok
        ("2026-02-16T12:00:00+09:00", "^KS11", "2026-02-19"),  # Seollal 2026-02-16..18
        ("2026-02-13T16:00:00+08:00", "0700.HK", "2026-02-16"),  # HK: Friday after close
        ("2026-01-10T12:00:00+00:00", "BTC-USD", "2026-01-11"),  # 24/7: the next day
        ("2026-01-09 23:30:00", "IGV", "2026-01-12"),  # naive = UTC (18:30 New York)
    ],
    ids=["fri-evening-ny", "saturday", "pre-open", "at-open", "intraday", "chuseok", "foundation-day",
         "seollal", "hk-friday", "crypto", "naive-utc"],
)
def test_next_session(ts, symbol, session):
    assert next_session(ts, symbol) == pd.Timestamp(session)


def test_map_to_sessions_vectorised():
    out = map_to_sessions(["2026-01-09T23:30:00+00:00", "2026-01-12T20:00:00+00:00"], "IGV")
    assert [str(s.date()) for s in out] == ["2026-01-12", "2026-01-13"]
    assert map_to_sessions([], "IGV") == []


def test_read_prices_long_case_insensitive_and_flags(tmp_path):
    p = tmp_path / "p.csv"
    p.write_text("Date,Symbol,Close,Volume,flag\n2026-01-05,IGV,100,5,\n2026-01-06,IGV,110,5,\n"
                 "2026-01-07,IGV,99,0,placeholder\n2026-01-05,000300.SS (CSI 300),3000,1,\n", encoding="utf-8")
    df = read_prices(p)
    assert set(df["symbol"]) == {"IGV", "000300.SS"}
    assert df[df["symbol"] == "IGV"]["close"].tolist() == [100, 110]
    assert "volume" in df.columns
    assert read_prices(p, symbols=["igv"])["symbol"].unique().tolist() == ["IGV"]


def test_read_prices_wide_and_parquet(tmp_path):
    wide = pd.DataFrame({"week_ending": ["2026-01-09", "2026-01-16"], "SPY": [600.0, 606.0], "soxx": [250.0, 240.0]})
    p = tmp_path / "w.parquet"
    wide.to_parquet(p)
    df = read_prices(p)
    assert sorted(df["symbol"].unique()) == ["SOXX", "SPY"]
    assert df[df["symbol"] == "SOXX"]["close"].tolist() == [250.0, 240.0]


def test_read_prices_errors(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_prices(tmp_path / "none.csv")
    p = tmp_path / "bad.csv"
    p.write_text("when,price\nx,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="no date column"):
        read_prices(p)


def test_first_file_wins_on_overlap(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("date,symbol,close\n2026-01-05,X,1\n", encoding="utf-8")
    b.write_text("date,symbol,close\n2026-01-05,X,2\n2026-01-06,X,3\n", encoding="utf-8")
    assert read_prices([a, b])["close"].tolist() == [1, 3]


def test_returns_and_forward_returns():
    px = pd.DataFrame({"date": pd.date_range("2026-01-05", periods=6, freq="B"), "symbol": "X",
                       "close": [100.0, 110.0, 99.0, 99.0, 108.9, 100.0]})
    r = add_returns(px, horizons=(1, 2))
    assert r["ret"].iloc[1] == pytest.approx(0.10)
    assert r["fwd_1"].tolist()[1:] == pytest.approx(r["ret"].tolist()[1:])
    assert r["fwd_2"].iloc[1] == pytest.approx(99 / 100 - 1)  # close(S+1) / close(S-1) - 1
    assert pd.isna(r["fwd_2"].iloc[5])


def test_yfinance_is_optional():
    try:
        import yfinance  # noqa: F401
    except ImportError:
        from nlp.index.market import fetch_prices_yfinance

        with pytest.raises(MissingDependencyError, match="yfinance"):
            fetch_prices_yfinance(["IGV"], start="2026-01-01")
    else:
        pytest.skip("yfinance is installed; the fetcher needs the network, which tests never use")


def test_join_pools_weekend_news_into_monday():
    from nlp.index.builder import build_index

    recs = []
    # Fri 2026-01-09 (the UTC day ends 19:00 in New York), Sat, Sun -> Monday 2026-01-12;
    # Tue 01-13 -> Wed 01-14; no news on Mon 01-12 -> Tuesday has prices but no news.
    for i, (day, lab) in enumerate([("09", 1), ("09", 0), ("10", 1), ("11", 0), ("13", 1)]):
        recs.append({"id": f"a{i}", "published": f"2026-01-{day}T12:00:00+00:00",
                     "labels": ["ai_disruption"] if lab else [], "intensity": {"ai_disruption": 0.5 * lab}})
    r = build_index(recs, window=3, min_periods=2)
    px = pd.DataFrame({"date": pd.to_datetime(["2026-01-08", "2026-01-09", "2026-01-12", "2026-01-13", "2026-01-14"]),
                       "symbol": "IGV", "close": [100.0, 101.0, 99.0, 98.0, 100.0]})
    j = join_index(r.index, px, symbols=["IGV"])
    d = j[j["narrative"] == "ai_disruption"].set_index("session")
    assert d.loc["2026-01-12", "n_articles"] == 4 and d.loc["2026-01-12", "n_labelled"] == 2
    assert d.loc["2026-01-12", "share"] == 0.5
    assert d.loc["2026-01-12", "ret"] == pytest.approx(99 / 101 - 1)
    assert pd.isna(d.loc["2026-01-13", "share"])  # a priced session without news stays in, empty
    assert d.loc["2026-01-13", "ret"] == pytest.approx(98 / 99 - 1)
    assert d.loc["2026-01-14", "n_articles"] == 1 and d.loc["2026-01-14", "d_share"] == pytest.approx(0.5)
