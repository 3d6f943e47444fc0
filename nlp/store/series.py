"""Pure functions over daily counts: resampling to weeks or months, share, z-score and EWMA (SPEC section 6).

Kept free of pandas so that an API request costs microseconds, not an import.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

Freq = Literal["D", "W", "M"]
FREQS: tuple[Freq, ...] = ("D", "W", "M")
#: Trailing periods for the z-score, and the EWMA span, per frequency.
Z_WINDOW: dict[str, int] = {"D": 28, "W": 12, "M": 6}
EWMA_SPAN: dict[str, int] = {"D": 7, "W": 4, "M": 3}
MIN_Z_PERIODS = 5


@dataclass(frozen=True, slots=True)
class Counts:
    """One period's raw aggregate."""

    period: date
    n_articles: int
    n_labelled: int
    sum_intensity: float


@dataclass(frozen=True, slots=True)
class IndexRow:
    """One period of a narrative index, derived from :class:`Counts`."""

    period: date
    n_articles: int
    n_labelled: int
    share: float
    intensity: float
    z: float | None
    ewma: float

    def to_dict(self) -> dict[str, object]:
        return {
            "date": self.period.isoformat(),
            "n_articles": self.n_articles,
            "n_labelled": self.n_labelled,
            "share": round(self.share, 6),
            "intensity": round(self.intensity, 6),
            "z": None if self.z is None else round(self.z, 6),
            "ewma": round(self.ewma, 6),
        }


def period_start(day: date, freq: Freq) -> date:
    """The first day of ``day``'s period: itself, its ISO week's Monday, or its month's first day.

    Examples:
        >>> period_start(date(2026, 2, 5), "W")
        datetime.date(2026, 2, 2)
        >>> period_start(date(2026, 2, 5), "M")
        datetime.date(2026, 2, 1)
    """
    if freq == "D":
        return day
    if freq == "W":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def resample(days: Iterable[Counts], freq: Freq) -> list[Counts]:
    """Sum daily counts into periods (sorted)."""
    acc: dict[date, list[float]] = {}
    for c in days:
        slot = acc.setdefault(period_start(c.period, freq), [0, 0, 0.0])
        slot[0] += c.n_articles
        slot[1] += c.n_labelled
        slot[2] += c.sum_intensity
    return [Counts(p, int(v[0]), int(v[1]), float(v[2])) for p, v in sorted(acc.items())]


def derive(periods: Sequence[Counts], freq: Freq, *, window: int | None = None, span: int | None = None) -> list[IndexRow]:
    """Share, mean intensity, trailing z-score of the share and its EWMA, per period.

    ``z`` compares a period's share with the mean and sample standard deviation of the ``window``
    periods before it (periods with no articles are absent, not zero); it is ``None`` until
    ``MIN_Z_PERIODS`` periods exist or when they have no spread. The EWMA (``adjust=False``, span
    ``span``) starts at the first share.
    """
    window = window or Z_WINDOW[freq]
    alpha = 2.0 / ((span or EWMA_SPAN[freq]) + 1.0)
    rows: list[IndexRow] = []
    shares: list[float] = []
    ewma = 0.0
    for i, c in enumerate(periods):
        share = c.n_labelled / c.n_articles if c.n_articles else 0.0
        ewma = share if i == 0 else alpha * share + (1 - alpha) * ewma
        rows.append(IndexRow(c.period, c.n_articles, c.n_labelled, share,
                             c.sum_intensity / c.n_articles if c.n_articles else 0.0, _z(share, shares[-window:]), ewma))
        shares.append(share)
    return rows


def _z(x: float, past: Sequence[float]) -> float | None:
    if len(past) < MIN_Z_PERIODS:
        return None
    mean = sum(past) / len(past)
    var = sum((p - mean) ** 2 for p in past) / (len(past) - 1)
    if var <= 1e-18:
        return None
    return (x - mean) / math.sqrt(var)
