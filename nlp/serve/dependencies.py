"""What the routes share: the app's state, the API-key checks and the date-range parameters.

:func:`nlp.serve.app.create_app` builds one :class:`AppState` per app and keeps it on
``app.state``; a route asks for it with a ``StateDep`` parameter, so the routers can live in their
own modules at import time and still serve the store, market data and model of the app they are
mounted in.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import APIKeyHeader

from nlp.serve.http_errors import Forbidden, Unauthorized
from nlp.serve.market_data import MarketData
from nlp.serve.scorer import Scorer
from nlp.store import Store
from nlp.store.queries import IndexCache

KEY_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key for writes (and reads when private).")


@dataclass(frozen=True, slots=True)
class AppState:
    """Everything one app's routes read: built once by :func:`nlp.serve.app.create_app`.

    Attributes:
        store: the :class:`~nlp.store.Store`.
        index_cache: pre-serialised index rows (:class:`nlp.store.queries.IndexCache`).
        market: daily closes for the dashboard.
        scorer: the pipeline for ``POST /v1/score``, loaded on first use.
        api_key: the key for writes; ``None`` refuses every write.
        public_reads: serve GET routes without the key.
        max_articles: most articles in one ``POST /v1/score``.
    """

    store: Store
    index_cache: IndexCache
    market: MarketData
    scorer: Scorer
    api_key: str | None
    public_reads: bool
    max_articles: int


async def get_state(request: Request) -> AppState:
    """The :class:`AppState` of the app serving ``request``.

    A coroutine, so FastAPI calls it inline instead of in a worker thread: it only reads an
    attribute, and ``GET /v1/index`` is a hot path.
    """
    return request.app.state.narratives


StateDep = Annotated[AppState, Depends(get_state)]


def check_key(state: AppState, given: str | None) -> None:
    """Raise unless ``given`` is the app's API key (compared in constant time).

    Raises:
        Forbidden: the app has no key configured, so it accepts no writes.
        Unauthorized: the key is missing or wrong.
    """
    key = state.api_key
    if key is None:
        raise Forbidden("this server has no API key configured (set NARRATIVES_API_KEY), so it accepts no writes")
    if not given or not hmac.compare_digest(given.encode(), key.encode()):
        raise Unauthorized("missing or wrong X-API-Key")


def authorize_read(state: StateDep, given: Annotated[str | None, Depends(KEY_HEADER)]) -> None:
    """Let a read through when reads are public, or when it carries the key."""
    if not state.public_reads:
        check_key(state, given)


#: Route dependency of every GET under ``/v1``.
READS = Depends(authorize_read)
FROM = Query(None, alias="from", description="first day (UTC, YYYY-MM-DD), inclusive")
TO = Query(None, alias="to", description="last day (UTC, YYYY-MM-DD), inclusive")
