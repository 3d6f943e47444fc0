"""Resampling, share, z and EWMA of the index (pure functions)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlp.store.series import MIN_Z_PERIODS, Counts, derive, period_start, resample


@pytest.mark.parametrize(
    "day, freq, expected",
    [
        (date(2026, 2, 5), "D", date(2026, 2, 5)),
        (date(2026, 2, 5), "W", date(2026, 2, 2)),
        (date(2026, 2, 2), "W", date(2026, 2, 2)),
        (date(2026, 2, 28), "M", date(2026, 2, 1)),
    ],
    ids=["day", "week", "monday", "month"],
)
def test_period_start(day: date, freq: str, expected: date) -> None:
    assert period_start(day, freq) == expected  # type: ignore[arg-type]


def test_weekly_resample_sums_counts() -> None:
    days = [Counts(date(2026, 2, d), 2, 1, 0.5) for d in (2, 3, 9)]
    assert resample(days, "W") == [Counts(date(2026, 2, 2), 4, 2, 1.0), Counts(date(2026, 2, 9), 2, 1, 0.5)]


def test_share_intensity_z_and_ewma() -> None:
    shares = [0.1, 0.2, 0.1, 0.2, 0.1, 0.9]
    periods = [Counts(date(2026, 1, 1) + timedelta(days=i), 10, round(x * 10), x * 5) for i, x in enumerate(shares)]
    rows = derive(periods, "D", window=5, span=3)
    assert [r.share for r in rows] == pytest.approx(shares)
    assert rows[0].intensity == pytest.approx(0.05)
    assert all(r.z is None for r in rows[:MIN_Z_PERIODS])
    assert rows[-1].z == pytest.approx((0.9 - 0.14) / 0.05477225575, rel=1e-6)
    assert rows[1].ewma == pytest.approx(0.5 * 0.2 + 0.5 * 0.1)


@given(st.lists(st.tuples(st.integers(1, 50), st.integers(0, 50)), min_size=1, max_size=60))
def test_share_and_ewma_stay_in_unit_interval(counts: list[tuple[int, int]]) -> None:
    periods = [Counts(date(2025, 1, 1) + timedelta(days=i), n, min(k, n), 0.0) for i, (n, k) in enumerate(counts)]
    for r in derive(periods, "D"):
        assert 0.0 <= r.share <= 1.0
        assert -1e-12 <= r.ewma <= 1.0 + 1e-12
