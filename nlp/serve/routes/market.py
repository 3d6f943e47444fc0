"""``GET /v1/market`` and ``GET /v1/market/{symbol}``: the daily closes the dashboard charts."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter

from nlp.serve.dependencies import FROM, READS, TO, StateDep
from nlp.serve.schemas import MarketResponse
from nlp.store import queries as q

router = APIRouter()


@router.get("/v1/market", tags=["market"], dependencies=[READS])
def get_market_symbols(state: StateDep) -> dict[str, Any]:
    """Symbols with daily closes in the configured market CSV (empty when none is configured)."""
    return {"ok": True, "symbols": state.market.symbols()}


@router.get("/v1/market/{symbol}", response_model=MarketResponse, tags=["market"], dependencies=[READS])
def get_market(state: StateDep, symbol: str, start: date | None = FROM, end: date | None = TO) -> dict[str, Any]:
    """Daily closes of one symbol."""
    market = state.market
    rows = market.closes(symbol, start=start, end=end)
    if not rows and symbol.strip().upper() not in market.series():
        raise q.NotFoundError(f"no market data for {symbol!r}")
    return {"ok": True, "symbol": symbol.upper(), "rows": [{"date": d.isoformat(), "close": c} for d, c in rows]}
