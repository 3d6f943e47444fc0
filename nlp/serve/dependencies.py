"""What the routes share: the app's state, the API-key checks and the date-range parameters.

:func:`nlp.serve.app.create_app` builds one :class:`AppState` per app and keeps it on
``app.state``; a route asks for it with a ``StateDep`` parameter, so the routers can live in their
own modules at import time and still serve the store, market data and model of the app they are
mounted in.
"""

from __future__ import annotations

import hmac
import threading
from dataclasses import dataclass, field
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
        max_articles: most articles in one ``POST /v1/score`` that carries the key.
        public_max_articles: most articles in one ``POST /v1/score`` without the key.
        public_concurrency: most ``POST /v1/score`` without the key being scored at once; one
            more gets 429 at once instead of waiting for a worker.
    """

    store: Store
    index_cache: IndexCache
    market: MarketData
    scorer: Scorer
    api_key: str | None
    public_reads: bool
    max_articles: int
    public_max_articles: int = 20
    public_concurrency: int = 2
    public_slots: threading.BoundedSemaphore = field(init=False)

    def __post_init__(self) -> None:
        # frozen: the semaphore is set once here, sized from the limit
        object.__setattr__(self, "public_slots", threading.BoundedSemaphore(self.public_concurrency))


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


def has_key(state: AppState, given: str | None) -> bool:
    """Whether ``given`` is the app's API key (constant-time compare); never raises."""
    key = state.api_key
    return bool(key and given and hmac.compare_digest(given.encode(), key.encode()))


def authorize_read(state: StateDep, given: Annotated[str | None, Depends(KEY_HEADER)]) -> None:
    """Let a read through when reads are public, or when it carries the key."""
    if not state.public_reads:
        check_key(state, given)


#: Route dependency of every GET under ``/v1``.
READS = Depends(authorize_read)
FROM = Query(None, alias="from", description="first day (UTC, YYYY-MM-DD), inclusive")
TO = Query(None, alias="to", description="last day (UTC, YYYY-MM-DD), inclusive")
