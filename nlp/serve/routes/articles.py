"""``GET /v1/articles``: scored articles, newest first, paged by offset or cursor."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Query

from nlp.serve.dependencies import FROM, READS, TO, StateDep
from nlp.serve.schemas import ArticlesResponse
from nlp.store import queries as q

router = APIRouter()


@router.get("/v1/articles", response_model=ArticlesResponse, tags=["articles"], dependencies=[READS])
def get_articles(
    state: StateDep,
    start: date | None = FROM,
    end: date | None = TO,
    narrative: Literal["ai_disruption", "ai_returns_doubt"] | None = None,
    ticker: str | None = Query(None, max_length=32),
    lang: Literal["en", "zh-Hans", "zh-Hant"] | None = None,
    source: str | None = None,
    model: str | None = None,
    limit: int = Query(50, ge=1, le=q.MAX_LIMIT),
    offset: int = Query(0, ge=0),
    cursor: str | None = Query(None, max_length=500),
) -> dict[str, Any]:
    """Scored articles, newest first; page with limit/offset or with the returned cursor."""
    store = state.store
    page = q.list_articles(store, start=start, end=end, narrative=narrative, ticker=ticker, lang=lang, source=source,
                           model=model, limit=limit, offset=offset, cursor=cursor)
    return {"ok": True, "model": model or q.latest_model(store), "articles": page.articles, "next_cursor": page.next_cursor}
