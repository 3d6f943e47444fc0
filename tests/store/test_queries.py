"""Read queries: index ranges and frequencies, article paging and filters, ticker series."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from nlp.errors import ConfigError
from nlp.store import Store
from nlp.store.queries import NotFoundError, index_series, list_articles, ticker_series
from tests.store.conftest import scored

START = date(2026, 1, 1)


@pytest.fixture
def filled(store: Store) -> Store:
    """60 days, 3 articles a day (one labelled on even days), NVDA named on Mondays."""
    records = []
    for i in range(60):
        day = (START + timedelta(days=i)).isoformat()
        monday = (START + timedelta(days=i)).weekday() == 0
        for j in range(3):
            labels = ("ai_disruption",) if (j == 0 and i % 2 == 0) else ()
            records.append(scored(f"d{i}-{j}", day, labels=labels, lang="zh-Hans" if j == 2 else "en",
                                  tickers=(("NVDA", 2),) if monday and j < 2 else ()))
    run = store.start_run(model="m-1", inputs=["t"])
    store.stage(run, [(r, "h") for r in records])
    store.finish_run(run)
    return store


def test_index_range_matches_the_full_series(filled: Store) -> None:
    full = {r["date"]: r for r in index_series(filled, narratives=("ai_disruption",))["ai_disruption"]}
    part = index_series(filled, narratives=("ai_disruption",), start=date(2026, 2, 10), end=date(2026, 2, 20))["ai_disruption"]
    assert [r["date"] for r in part][0] == "2026-02-10" and len(part) == 11
    for r in part:
        assert r == full[r["date"]]
    assert full["2026-01-01"]["share"] == pytest.approx(1 / 3)
    assert full["2026-02-20"]["z"] is not None


@pytest.mark.parametrize("freq, n_periods, first_articles", [("W", 9, 12), ("M", 3, 93)], ids=["week", "month"])
def test_index_frequencies(filled: Store, freq: str, n_periods: int, first_articles: int) -> None:
    rows = index_series(filled, narratives=("ai_disruption",), freq=freq)["ai_disruption"]
    assert len(rows) == n_periods
    assert rows[0]["n_articles"] == (first_articles if freq == "M" else 3 * 4)  # 2026-01-01 is a Thursday


def test_index_filters_by_lang(filled: Store) -> None:
    rows = index_series(filled, narratives=("ai_disruption",), lang="zh-Hans")["ai_disruption"]
    assert {r["n_articles"] for r in rows} == {1} and {r["n_labelled"] for r in rows} == {0}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"narratives": ("ai_hype",)}, "`narrative` = 'ai_hype' is invalid"),
        ({"freq": "Q"}, "`freq` = 'Q' is invalid"),
        ({"start": date(2026, 2, 1), "end": date(2026, 1, 1)}, "is after"),
        ({"model": "nope"}, "`model` = 'nope' is invalid"),
    ],
    ids=["narrative", "freq", "range", "model"],
)
def test_index_rejects_bad_arguments(filled: Store, kwargs: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        index_series(filled, **kwargs)


def test_article_cursor_paging_visits_everything_once(filled: Store) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        page = list_articles(filled, start=date(2026, 1, 1), end=date(2026, 1, 10), limit=7, cursor=cursor)
        seen += [a["id"] for a in page.articles]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert len(seen) == len(set(seen)) == 30
    assert seen[0].startswith("d9-")  # newest first


def test_article_offset_paging_and_filters(filled: Store) -> None:
    labelled = list_articles(filled, narrative="ai_disruption", limit=500)
    assert len(labelled.articles) == 30 and labelled.next_cursor is None
    assert [a["id"] for a in list_articles(filled, offset=2, limit=2).articles] == [a["id"] for a in list_articles(filled, limit=4).articles][2:]
    nvda = list_articles(filled, ticker="nvda", limit=500).articles
    assert len(nvda) == 2 * 8 and all(a["tickers"][0]["symbol"] == "NVDA" for a in nvda)


@pytest.mark.parametrize("kwargs", [{"limit": 0}, {"limit": 501}, {"offset": -1}, {"cursor": "garbage!"}], ids=str)
def test_article_bad_paging_arguments(filled: Store, kwargs: dict) -> None:
    with pytest.raises(ConfigError):
        list_articles(filled, **kwargs)


def test_ticker_series(filled: Store) -> None:
    rows = ticker_series(filled, "NVDA", freq="D")
    # 2026-01-05 is day 4 (even: its first article is labelled), 2026-01-12 is day 11.
    assert rows[0] == {"date": "2026-01-05", "n_articles": 2, "mentions": 4, "labelled": {"ai_disruption": 1, "ai_returns_doubt": 0}}
    assert rows[1]["labelled"]["ai_disruption"] == 0
    assert len(ticker_series(filled, "NVDA", freq="M")) == 2
    with pytest.raises(NotFoundError, match="'ZZZZ'"):
        ticker_series(filled, "zzzz")


def test_empty_store_reads_are_empty(store: Store) -> None:
    assert index_series(store) == {"ai_disruption": [], "ai_returns_doubt": []}
    assert list_articles(store).articles == []
