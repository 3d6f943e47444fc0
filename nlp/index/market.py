"""Market data: daily prices, exchange sessions, returns, and the join of the index to them.

Alignment rule: **news at time t maps to the first session of the symbol's exchange whose open is
strictly after t.** News during a session therefore maps to the *next* session, never to the one
already under way, whose close may already have priced it in part; news on Friday evening in New
York, or on a Korean holiday, maps to the next open. A daily index period (a calendar day in the
index timezone) is treated as news at the period's end, so each day's index meets the first session
that opens after the day is over: the statistics never use a price that could precede the news.

Returns are close-to-close: ``ret`` of session S = close(S) / close(S-1) - 1, and the forward return
``fwd_h`` of S = close(S+h-1) / close(S-1) - 1 (h = 1, 5, 20 sessions), so ``fwd_1 = ret``: the move
from the last close before the news was known to the close h sessions later.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlp.errors import InputError, MissingDependencyError

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

HORIZONS = (1, 5, 20)
DATE_COLUMNS = ("date", "datetime", "timestamp", "time", "day", "week_ending", "trade_date")
SYMBOL_COLUMNS = ("symbol", "ticker", "code")
PRICE_COLUMNS = ("open", "high", "low", "close", "adj close", "adj_close", "volume")
#: Yahoo symbol suffix or index -> exchange-calendars code (US listings default to XNYS).
CALENDAR_BY_SUFFIX = {".KS": "XKRX", ".KQ": "XKRX", ".T": "XTKS", ".HK": "XHKG", ".SS": "XSHG", ".SZ": "XSHE", ".TW": "XTAI", ".TWO": "XTAI"}
CALENDAR_BY_INDEX = {"^KS11": "XKRX", "^KQ11": "XKRX", "^N225": "XTKS", "^HSI": "XHKG", "^TWII": "XTAI", "000300.SS": "XSHG", "000001.SS": "XSHG"}
RE_CRYPTO = re.compile(r"^[A-Z0-9]+-(USD|USDT|EUR)$")
CALENDAR_START = "2015-01-01"


def calendar_for(symbol: str) -> str:
    """The exchange-calendars code for a Yahoo symbol.

    Examples:
        >>> [calendar_for(s) for s in ("IGV", "^GSPC", "005930.KS", "^N225", "0700.HK", "BTC-USD")]
        ['XNYS', 'XNYS', 'XKRX', 'XTKS', 'XHKG', '24/7']
    """
    s = symbol.upper()
    if s in CALENDAR_BY_INDEX:
        return CALENDAR_BY_INDEX[s]
    if RE_CRYPTO.match(s):
        return "24/7"
    for suffix, cal in CALENDAR_BY_SUFFIX.items():
        if s.endswith(suffix):
            return cal
    return "XNYS"


@lru_cache(maxsize=16)
def _calendar(code: str, end_year: int) -> Any:
    import warnings

    import exchange_calendars as xcals

    with warnings.catch_warnings():
        # exchange-calendars 4.x trips pandas 3 deprecation warnings inside its own constructor.
        warnings.simplefilter("ignore")
        return xcals.get_calendar(code, start=CALENDAR_START, end=f"{end_year}-12-31")


def sessions(code: str, *, until: date | None = None) -> pd.DataFrame:
    """Sessions of an exchange: columns ``session`` (date, naive) and ``open`` (UTC)."""
    import pandas as pd

    year = max((until or date.today()).year + 1, date.today().year + 1)
    cal = _calendar(code, year)
    opens = cal.schedule["open"]
    return pd.DataFrame({"session": pd.DatetimeIndex(opens.index).tz_localize(None), "open": opens.to_numpy()})


def next_session(ts: datetime | pd.Timestamp | str, symbol: str) -> pd.Timestamp:
    """The first session of ``symbol``'s exchange whose open is strictly after ``ts``.

    A naive ``ts`` is UTC.

    Examples:
        >>> str(next_session("2026-01-09T18:30:00-05:00", "IGV").date())  # Friday evening, NY
        '2026-01-12'
    """
    return map_to_sessions([ts], symbol)[0]


def map_to_sessions(timestamps: Iterable[Any], symbol: str) -> list[pd.Timestamp]:
    """:func:`next_session` for many timestamps (vectorised)."""
    import numpy as np
    import pandas as pd

    ts = pd.to_datetime(list(timestamps), utc=True)
    if len(ts) == 0:
        return []
    sess = sessions(calendar_for(symbol), until=ts.max().date())
    opens = pd.DatetimeIndex(sess["open"]).tz_convert("UTC")
    pos = np.searchsorted(opens.asi8, ts.as_unit(opens.unit).asi8, side="right")
    out = []
    for p in pos:
        out.append(sess["session"].iloc[p] if p < len(sess) else pd.NaT)
    return out


# -- prices -----------------------------------------------------------------------------------------


def read_prices(paths: str | Path | Sequence[str | Path], *, symbols: Iterable[str] | None = None, price: str = "close") -> pd.DataFrame:
    """Daily prices from CSV or Parquet files, long (date, symbol, close, ...) or wide (date plus
    one column per symbol) layout; column names are matched case-insensitively.

    Symbols are cleaned to their first word (``"000300.SS (CSI 300)"`` -> ``000300.SS``). Rows with
    a non-empty ``flag`` column (placeholder or partial rows, as marked in ../shared) are dropped.
    When several files hold the same (symbol, date), the first file wins.

    Returns:
        Columns date (naive, day), symbol, close, plus open/high/low/volume when present, sorted.

    Raises:
        InputError: a file is missing, unreadable or has no date or price column.
    """
    import pandas as pd

    if isinstance(paths, str | Path):
        paths = [paths]
    frames = []
    for path in paths:
        frames.append(_read_one_prices(Path(path), price=price))
    if not frames:
        raise InputError("no price files given")
    df = pd.concat(frames, ignore_index=True)
    df = df.dropna(subset=["date", "close"]).drop_duplicates(["symbol", "date"], keep="first")
    if symbols is not None:
        wanted = {s.upper() for s in symbols}
        df = df[df["symbol"].str.upper().isin(wanted)]
    return df.sort_values(["symbol", "date"], ignore_index=True)


def _read_one_prices(path: Path, *, price: str) -> pd.DataFrame:
    import pandas as pd

    if not path.exists():
        raise InputError(f"price file {path} does not exist")
    try:
        raw = pd.read_parquet(path) if path.suffix.lower() == ".parquet" else pd.read_csv(path)
    except Exception as exc:  # pandas raises many types for a bad file
        raise InputError(f"cannot read prices from {path}: {exc}") from None
    lower = {c: str(c).strip().lower() for c in raw.columns}
    raw = raw.rename(columns=lower)
    date_col = next((c for c in DATE_COLUMNS if c in raw.columns), None)
    if date_col is None:
        raise InputError(f"{path}: no date column (looked for {list(DATE_COLUMNS)})")
    if "flag" in raw.columns:
        raw = raw[raw["flag"].isna() | (raw["flag"].astype(str).str.strip() == "")]
    sym_col = next((c for c in SYMBOL_COLUMNS if c in raw.columns), None)
    dates = pd.to_datetime(raw[date_col], errors="coerce", utc=False)
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    dates = dates.dt.normalize()
    if sym_col is not None:
        price_col = price if price in raw.columns else "close"
        if price_col not in raw.columns:
            raise InputError(f"{path}: no {price!r} column")
        out = pd.DataFrame({"date": dates, "symbol": raw[sym_col].astype(str).str.split().str[0], "close": pd.to_numeric(raw[price_col], errors="coerce")})
        for c in ("open", "high", "low", "volume"):
            if c in raw.columns:
                out[c] = pd.to_numeric(raw[c], errors="coerce")
        return out
    # Wide: every other numeric column is a symbol's close.
    value_cols = [c for c in raw.columns if c != date_col and pd.api.types.is_numeric_dtype(raw[c])]
    if not value_cols:
        raise InputError(f"{path}: no symbol column and no numeric price columns")
    wide = raw[value_cols].copy()
    wide.columns = [str(c).upper() for c in value_cols]
    wide.insert(0, "date", dates)
    long = wide.melt(id_vars="date", var_name="symbol", value_name="close")
    return long


def fetch_prices_yfinance(symbols: Sequence[str], *, start: str, end: str | None = None) -> pd.DataFrame:
    """Download daily closes with yfinance (optional; network). Same columns as :func:`read_prices`.

    Raises:
        MissingDependencyError: yfinance is not installed.
    """
    try:
        import yfinance as yf
    except ImportError:
        raise MissingDependencyError("yfinance is not installed: pip install yfinance") from None
    import pandas as pd

    frames = []
    for sym in symbols:
        hist = yf.Ticker(sym).history(start=start, end=end, auto_adjust=True)
        if hist.empty:
            log.warning("yfinance returned no rows for %s", sym)
            continue
        hist = hist.reset_index().rename(columns=str.lower)
        frames.append(pd.DataFrame({
            "date": pd.to_datetime(hist["date"]).dt.tz_localize(None).dt.normalize(),
            "symbol": sym, "close": hist["close"], "open": hist["open"], "high": hist["high"],
            "low": hist["low"], "volume": hist["volume"],
        }))
    if not frames:
        return pd.DataFrame(columns=["date", "symbol", "close"])
    return pd.concat(frames, ignore_index=True)


def add_returns(prices: pd.DataFrame, *, horizons: Sequence[int] = HORIZONS) -> pd.DataFrame:
    """Add ``ret`` and ``fwd_<h>`` per symbol (see the module docstring for the definitions)."""
    df = prices.sort_values(["symbol", "date"]).copy()
    g = df.groupby("symbol", sort=False)["close"]
    prev = g.shift(1)
    df["ret"] = df["close"] / prev - 1
    for h in horizons:
        df[f"fwd_{h}"] = g.shift(-(h - 1)) / prev - 1
    return df


# -- join ---------------------------------------------------------------------------------------------


def join_index(index: pd.DataFrame, prices: pd.DataFrame, *, symbols: Sequence[str], freq: str = "D", tz: str = "UTC", window: int = 20, min_periods: int = 5) -> pd.DataFrame:
    """Align the index to each symbol's sessions and attach returns.

    Each index period is news at the period's end (in ``tz``) and maps to the next session (see
    the module docstring); the periods that map to one session (a weekend and the Friday before,
    a holiday) are pooled: counts add up and share is recomputed. ``d_share`` is the change in
    share from the previous session with news; ``z`` is recomputed over sessions.

    Returns:
        One row per (symbol, session, narrative): n_articles, n_labelled, share, intensity,
        d_share, z, close, ret, fwd_1, fwd_5, fwd_20. Sessions with prices but no news keep NaN
        share, so the price series stays whole.
    """
    import pandas as pd

    from nlp.index.periods import period_end
    from nlp.index.stats import trailing_z

    px = add_returns(prices)
    if index.empty:
        return pd.DataFrame()
    periods = pd.DatetimeIndex(sorted(index["period"].unique()))
    ends = [pd.Timestamp(period_end(p.date(), freq=freq)).tz_localize(tz) for p in periods]
    parts = []
    for sym in symbols:
        p_sym = px[px["symbol"].str.upper() == sym.upper()]
        if p_sym.empty:
            log.warning("no prices for %s", sym)
            continue
        sess = pd.DatetimeIndex(map_to_sessions(ends, sym))
        # A session missing from the price file (a data gap) moves to the next priced date.
        price_dates = pd.DatetimeIndex(p_sym["date"])
        pos = price_dates.searchsorted(sess)
        priced = [price_dates[i] if i < len(price_dates) and s is not pd.NaT else pd.NaT for i, s in zip(pos, sess, strict=True)]
        period_to_session = pd.Series(priced, index=periods)
        df = index.copy()
        df["session"] = df["period"].map(period_to_session)
        df = df.dropna(subset=["session"])
        df["int_sum"] = df["intensity"].fillna(0) * df["n_articles"]
        agg = df.groupby(["session", "narrative"], as_index=False)[["n_articles", "n_labelled", "int_sum"]].sum()
        lo, hi = agg["session"].min(), agg["session"].max()
        frame = p_sym[(p_sym["date"] >= lo) & (p_sym["date"] <= hi)]
        for narr, a in agg.groupby("narrative"):
            m = frame.merge(a, left_on="date", right_on="session", how="left")
            m["session"] = m["date"]
            m["narrative"] = narr
            m["n_articles"] = m["n_articles"].fillna(0).astype("int64")
            m["n_labelled"] = m["n_labelled"].fillna(0).astype("int64")
            m["share"] = (m["n_labelled"] / m["n_articles"]).where(m["n_articles"] > 0)
            m["intensity"] = (m["int_sum"] / m["n_articles"]).where(m["n_articles"] > 0)
            m["d_share"] = m["share"] - m["share"].ffill().shift(1)
            m["z"] = trailing_z(m["share"], window=window, min_periods=min_periods)
            parts.append(m[["symbol", "session", "narrative", "n_articles", "n_labelled", "share", "intensity", "d_share", "z", "close", "ret", *(f"fwd_{h}" for h in HORIZONS)]])
    if not parts:
        return pd.DataFrame()
    return pd.concat(parts, ignore_index=True).sort_values(["symbol", "narrative", "session"], ignore_index=True)
