"""Publication dates in the forms news arrives with."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlp.text.dates import parse_date


@pytest.mark.parametrize(
    "raw, iso",
    [
        ("Wed, 03 Sep 2025 07:52:05 GMT", "2025-09-03T07:52:05+00:00"),
        ("Wed, 03 Sep 2025 07:52:05 +0800", "2025-09-03T07:52:05+08:00"),
        ("2025-09-29 20:24:31 +0800", "2025-09-29T20:24:31+08:00"),
        ("2025-09-29 20:24:31  +0800", "2025-09-29T20:24:31+08:00"),
        ("2026-02-15", "2026-02-15T00:00:00+00:00"),
        ("2026-02-15T01:29:00Z", "2026-02-15T01:29:00+00:00"),
        ("2026-02-15T01:29:00+09:00", "2026-02-15T01:29:00+09:00"),
        ("2026年2月5日 20:24", "2026-02-05T20:24:00+00:00"),
        ("2026年2月5日", "2026-02-05T00:00:00+00:00"),
        ("２０２６年２月５日　２０：２４", "2026-02-05T20:24:00+00:00"),
        ("2026年2月5日 下午3:05", "2026-02-05T15:05:00+00:00"),
        ("2026.02.15 01:29", "2026-02-15T01:29:00+00:00"),
        ("2025/10/19", "2025-10-19T00:00:00+00:00"),
        ("Oct 2, 2025", "2025-10-02T00:00:00+00:00"),
        ("March 13, 2025 4:05 pm", "2025-03-13T16:05:00+00:00"),
        ("12 Mar 2025", "2025-03-12T00:00:00+00:00"),
    ],
)
def test_parse_date(raw: str, iso: str) -> None:
    assert parse_date(raw).isoformat() == iso


@pytest.mark.parametrize("raw", ["yesterday", "2026-13-45", "not a date at all", "31/31/2026", "May", "Mar 45, 2025"])
def test_unparsable_dates_raise(raw: str) -> None:
    with pytest.raises(ValueError, match="date"):
        parse_date(raw)


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_empty_dates_are_none(raw) -> None:
    assert parse_date(raw) is None


@given(st.datetimes(min_value=__import__("datetime").datetime(1990, 1, 1), max_value=__import__("datetime").datetime(2100, 1, 1)))
def test_iso_round_trip(dt) -> None:
    dt = dt.replace(microsecond=0)
    assert parse_date(dt.isoformat()).replace(tzinfo=None) == dt
    assert parse_date(f"{dt.year}年{dt.month}月{dt.day}日 {dt.hour}:{dt.minute:02d}").replace(tzinfo=None) == dt.replace(second=0)
