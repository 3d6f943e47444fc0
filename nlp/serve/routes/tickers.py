"""``GET /v1/tickers/{symbol}``: one ticker's articles, mentions and narratives per period."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter

from nlp.serve.dependencies import FROM, READS, TO, StateDep
from nlp.serve.http_errors import BadRequest
from nlp.serve.schemas import TickerResponse
from nlp.store import queries as q

router = APIRouter()


@router.get("/v1/tickers/{symbol}", response_model=TickerResponse, tags=["tickers"], dependencies=[READS])
def get_ticker(
    state: StateDep,
    symbol: str,
    start: date | None = FROM,
    end: date | None = TO,
    freq: Literal["D", "W", "M"] = "D",
    model: str | None = None,
) -> dict[str, Any]:
    """Articles naming a ticker per period, its mentions, and how many carry each narrative."""
    if len(symbol) > 32:
        raise BadRequest("ticker symbols are at most 32 characters")
    return {"ok": True, "symbol": symbol.upper(), "rows": q.ticker_series(state.store, symbol, start=start, end=end, freq=freq, model=model)}
