"""Numbers behind the index and the report: series from the index counters, trailing z-scores,
per-source scaling, lead/lag correlations, OLS with Newey-West errors and Granger tests.

Imported only by the index commands (pandas, numpy, statsmodels load here, never on ``import nlp``).
"""

from __future__ import annotations

import warnings
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from nlp.index import IndexAccumulator, IndexResult

#: Periods a source needs in the reference window before its share can be scaled.
MIN_SOURCE_PERIODS = 5


def trailing_z(x: pd.Series, *, window: int, min_periods: int) -> pd.Series:
    """(x_t - mean) / std of x over the ``window`` values before t, skipping missing values;
    NaN with fewer than ``min_periods`` values or a zero spread.

    Examples:
        >>> z = trailing_z(pd.Series([1.0, 2, 1, 2, 1, 5]), window=5, min_periods=5)
        >>> round(float(z.iloc[-1]), 3)
        6.573
    """
    prior = x.shift(1).rolling(window, min_periods=min_periods)
    mean, std = prior.mean(), prior.std(ddof=1)
    z = (x - mean) / std.where(std > 0)
    return z


def ewma(x: pd.Series, *, span: int) -> pd.Series:
    """Exponentially weighted mean over ``span`` periods; gaps carry the last value."""
    return x.ewm(span=span, ignore_na=True).mean()


def _period_range(periods: pd.Series, freq: str) -> pd.DatetimeIndex:
    if periods.empty:
        return pd.DatetimeIndex([])
    lo, hi = periods.min(), periods.max()
    step = {"D": "D", "W": "W-MON", "M": "MS"}[freq]
    return pd.date_range(lo, hi, freq=step)


def frames_from_accumulator(
    acc: IndexAccumulator,
    novelty_rows: list[tuple[str, str, float, bool, bool]],
    *,
    window: int,
    min_periods: int,
    span: int,
    per_source_scaling: bool,
    reference: tuple[Any, Any] | None,
) -> IndexResult:
    """Turn the accumulator's counters into the tables of an :class:`IndexResult`."""
    from nlp.index import IndexResult

    narr = acc.narratives
    k = len(narr)
    cols = ["period", "source", "lang", "n", *(f"lab_{i}" for i in range(k)), *(f"int_{i}" for i in range(k))]
    raw = pd.DataFrame([(p, s, lg, *v) for (p, s, lg), v in acc.counts.items()], columns=cols)
    raw["period"] = pd.to_datetime([date.fromordinal(int(p)) for p in raw["period"]])
    grid = _period_range(raw["period"], acc.freq)

    index_parts, lang_parts, source_parts = [], [], []
    pooled = raw.groupby("period").sum(numeric_only=True).reindex(grid, fill_value=0)
    pooled.index.name = "period"
    scaled_by_narr: dict[str, pd.Series] = {}
    if per_source_scaling:
        for i, n in enumerate(narr):
            scaled_by_narr[n] = per_source_scaled(raw, f"lab_{i}", grid=grid, reference=reference)
    for i, n in enumerate(narr):
        df = pd.DataFrame(index=grid)
        df.index.name = "period"
        n_art = pooled["n"].astype("int64")
        df["narrative"] = n
        df["n_articles"] = n_art
        df["n_labelled"] = pooled[f"lab_{i}"].astype("int64")
        df["share"] = (df["n_labelled"] / n_art).where(n_art > 0)
        df["intensity"] = (pooled[f"int_{i}"] / n_art).where(n_art > 0)
        basis = df["share"]
        if per_source_scaling:
            df["scaled"] = scaled_by_narr[n]
            basis = df["scaled"]
        df["z"] = trailing_z(basis, window=window, min_periods=min_periods)
        df["ewma"] = ewma(basis, span=span)
        index_parts.append(df.reset_index())
        for dim, parts in (("lang", lang_parts), ("source", source_parts)):
            g = raw.groupby(["period", dim], as_index=False)[["n", f"lab_{i}"]].sum()
            g = g.rename(columns={"n": "n_articles", f"lab_{i}": "n_labelled"})
            g.insert(2, "narrative", n)
            g["n_articles"] = g["n_articles"].astype("int64")
            g["n_labelled"] = g["n_labelled"].astype("int64")
            g["share"] = g["n_labelled"] / g["n_articles"]
            parts.append(g)

    index = pd.concat(index_parts, ignore_index=True) if index_parts else pd.DataFrame()
    tickers = pd.DataFrame(
        [(s, date.fromordinal(p), n, c) for (s, p, n), c in acc.ticker_counts.items()],
        columns=["ticker", "period", "narrative", "n_articles"],
    )
    tickers["period"] = pd.to_datetime(tickers["period"])
    tickers = tickers.sort_values(["ticker", "period", "narrative"], ignore_index=True)
    novelty = pd.DataFrame(novelty_rows, columns=["id", "cluster", "published", "novel", "counted"])
    novelty["published"] = pd.to_datetime(
        [datetime.fromtimestamp(t, tz=UTC) for t in novelty["published"]], utc=True
    )
    n_counted = int(raw["n"].sum()) if len(raw) else 0
    meta = {
        "freq": acc.freq,
        "tz": acc.tz,
        "window": window,
        "min_periods": min_periods,
        "span": span,
        "per_source_scaling": per_source_scaling,
        "basis": "scaled" if per_source_scaling else "share",
        "narratives": list(narr),
        "n_records": acc.n_records,
        "n_undated": acc.n_undated,
        "n_counted": n_counted,
        "n_copies": int((~novelty["counted"]).sum()) if len(novelty) else 0,
    }
    sort = ["period", "narrative"]
    return IndexResult(
        index=index.sort_values(sort, ignore_index=True) if len(index) else index,
        by_lang=_concat_sorted(lang_parts, ["period", "lang", "narrative"]),
        by_source=_concat_sorted(source_parts, ["period", "source", "narrative"]),
        tickers=tickers,
        novelty=novelty,
        meta=meta,
    )


def _concat_sorted(parts: list[pd.DataFrame], by: list[str]) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame(columns=[*by, "n_articles", "n_labelled", "share"])
    return pd.concat(parts, ignore_index=True).sort_values(by, ignore_index=True)


def per_source_scaled(
    raw: pd.DataFrame, lab_col: str, *, grid: pd.DatetimeIndex, reference: tuple[Any, Any] | None
) -> pd.Series:
    """Per-source scaled index (Baker, Bloom & Davis): each source's share divided by its standard
    deviation over the reference window, averaged over the sources present in each period, and
    normalised to mean 100 over the reference window.

    A source with fewer than :data:`MIN_SOURCE_PERIODS` periods in the reference window, or whose
    share never varies there, is left out (its scale is unknown).
    """
    by = raw.groupby(["period", "source"])[["n", lab_col]].sum()
    share = (by[lab_col] / by["n"]).unstack("source").reindex(grid)
    ref = share
    if reference is not None:
        lo, hi = (pd.Timestamp(reference[0]), pd.Timestamp(reference[1]))
        ref = share.loc[(share.index >= lo) & (share.index <= hi)]
    counts = ref.notna().sum()
    std = ref.std(ddof=1)
    keep = std.index[(counts >= MIN_SOURCE_PERIODS) & (std > 0)]
    if len(keep) == 0:
        return pd.Series(np.nan, index=grid)
    standardised = share[keep] / std[keep]
    avg = standardised.mean(axis=1, skipna=True)
    ref_avg = avg.loc[ref.index]
    level = ref_avg.mean()
    if not np.isfinite(level) or level == 0:
        return avg
    return avg / level * 100.0


# -- market statistics ----------------------------------------------------------------------------


def lead_lag(x: pd.Series, y: pd.Series, *, max_lag: int = 10) -> pd.DataFrame:
    """Correlation of x_t with y_{t+k} for k in -max_lag..max_lag (k > 0: x leads y).

    Both series share one index of consecutive sessions. Returns columns lag, corr, n.
    """
    rows = []
    for k in range(-max_lag, max_lag + 1):
        pair = pd.concat([x, y.shift(-k)], axis=1).dropna()
        n = len(pair)
        c = pair.iloc[:, 0].corr(pair.iloc[:, 1]) if n >= 3 else np.nan
        rows.append((k, float(c) if c == c else np.nan, n))
    return pd.DataFrame(rows, columns=["lag", "corr", "n"])


def ols_hac(y: pd.Series, x: pd.Series, *, maxlags: int) -> dict[str, float]:
    """OLS of y on a constant and x with Newey-West (HAC) standard errors.

    Returns beta, se, t, p, r2 and n (NaN when fewer than 10 observations).
    """
    pair = pd.concat([y, x], axis=1).dropna()
    n = len(pair)
    out = {"beta": np.nan, "se": np.nan, "t": np.nan, "p": np.nan, "r2": np.nan, "n": n}
    if n < 10 or pair.iloc[:, 1].std() == 0:
        return out
    import statsmodels.api as sm

    X = sm.add_constant(pair.iloc[:, 1].to_numpy(dtype=float))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sm.OLS(pair.iloc[:, 0].to_numpy(dtype=float), X).fit(
            cov_type="HAC", cov_kwds={"maxlags": max(1, maxlags)}
        )
    out.update(beta=float(res.params[1]), se=float(res.bse[1]), t=float(res.tvalues[1]),
               p=float(res.pvalues[1]), r2=float(res.rsquared))
    return out


def granger(y: pd.Series, x: pd.Series, *, maxlag: int = 5) -> dict[str, float]:
    """Granger test of "x helps predict y": the SSR F test that lags 1..maxlag of x add nothing
    to lags 1..maxlag of y (one joint test, so no lag is picked after seeing the data).

    Returns lag (= maxlag), F, p and n (NaN when the sample is too short: fewer than 3 * maxlag + 10).
    """
    pair = pd.concat([y, x], axis=1).dropna()
    n = len(pair)
    out = {"lag": np.nan, "F": np.nan, "p": np.nan, "n": n}
    if n < 3 * maxlag + 10 or pair.iloc[:, 1].std() == 0 or pair.iloc[:, 0].std() == 0:
        return out
    from statsmodels.tsa.stattools import grangercausalitytests

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels warns about its own verbose argument
        try:
            res = grangercausalitytests(pair.to_numpy(dtype=float), maxlag=maxlag)
        except Exception:  # singular designs on degenerate samples: no test
            return out
    f, p = res[maxlag][0]["ssr_ftest"][:2]
    out.update(lag=maxlag, F=float(f), p=float(p))
    return out
