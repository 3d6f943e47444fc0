"""Calendar periods of the index: a day, an ISO week from Monday, or a month, in a timezone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

FREQS = ("D", "W", "M")


def period_start(ts: datetime, *, freq: str = "D", tz: Any = UTC) -> date:
    """The first day of the period holding ``ts`` in ``tz`` (a ``tzinfo``).

    Examples:
        >>> period_start(datetime(2026, 2, 6, 23, 30, tzinfo=UTC), freq="W")
        datetime.date(2026, 2, 2)
    """
    d = ts.astimezone(tz).date()
    if freq == "D":
        return d
    if freq == "W":
        return d - timedelta(days=d.weekday())
    return d.replace(day=1)


def period_end(start: date, *, freq: str = "D") -> date:
    """The first day after the period that starts on ``start``."""
    if freq == "D":
        return start + timedelta(days=1)
    if freq == "W":
        return start + timedelta(days=7)
    return date(start.year + (start.month == 12), start.month % 12 + 1, 1)
