"""Request and response shapes of the HTTP API (pydantic: the API edge is the only place it is used).

The models document the routes in OpenAPI; records themselves stay the frozen dataclasses of
:mod:`nlp.records`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class IndexPoint(BaseModel):
    narrative: str
    date: date
    n_articles: int
    n_labelled: int
    share: float = Field(description="n_labelled / n_articles")
    intensity: float = Field(description="mean article intensity")
    z: float | None = Field(description="share standardised over the trailing window; null until enough history")
    ewma: float = Field(description="EWMA-smoothed share")


class IndexResponse(BaseModel):
    ok: bool = True
    model: str | None
    freq: str
    rows: list[IndexPoint]


class ArticlesResponse(BaseModel):
    ok: bool = True
    model: str | None
    articles: list[dict[str, Any]] = Field(description="scored records (SPEC section 2), newest first")
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last")


class TickerPoint(BaseModel):
    date: date
    n_articles: int
    mentions: int
    labelled: dict[str, int] = Field(description="articles naming the ticker that carry each narrative")


class TickerResponse(BaseModel):
    ok: bool = True
    symbol: str
    rows: list[TickerPoint]


class InputArticle(BaseModel):
    """One input record (SPEC section 1)."""

    model_config = ConfigDict(extra="ignore")
    id: str | None = None
    text: str
    title: str | None = None
    published: str | None = None
    source: str | None = None
    url: str | None = None
    lang: str | None = None


class ScoreRequest(BaseModel):
    articles: list[InputArticle]


class ScoreResponse(BaseModel):
    ok: bool = True
    records: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    run: dict[str, Any] | None = Field(description="the stored run when store=true")


class MarketResponse(BaseModel):
    ok: bool = True
    symbol: str
    rows: list[dict[str, Any]]
