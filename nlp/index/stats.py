"""Numbers behind the index and the report: trailing z-scores, EWMA, per-source scaling,
lead/lag correlations, OLS with Newey-West errors and Granger tests.

Pure functions over pandas series; nothing here knows the index's records or counters, so the
builder and the report both import it and it imports neither.
Imported only by the index commands (pandas, numpy, statsmodels load here, never on ``import nlp``).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

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
