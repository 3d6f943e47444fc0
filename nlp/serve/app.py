"""The HTTP API's app factory: :func:`create_app` mounts the routers of :mod:`nlp.serve.routes`.

The factory holds no route logic. It builds the app's shared state (store, market data, lazy
scorer, index cache: :class:`~nlp.serve.dependencies.AppState`), adds the body-limit middleware
(:mod:`nlp.serve.middleware`) and the one error handler (:mod:`nlp.serve.http_errors`), and
includes one router per resource, in the order their paths appear in OpenAPI.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from nlp.about import __version__
from nlp.errors import NlpError
from nlp.serve.dependencies import AppState
from nlp.serve.http_errors import handle_error
from nlp.serve.market_data import MarketData, default_market_path
from nlp.serve.middleware import BodyLimit
from nlp.serve.routes import articles, dashboard, index, market, meta, runs, score, tickers
from nlp.serve.scorer import Scorer
from nlp.store import Store
from nlp.store import queries as q

MAX_BODY_BYTES = 1_000_000
MAX_ARTICLES = 100
#: Limits of ``POST /v1/score`` without the API key (README "Limits"): records per request, and
#: requests scored at once (one more gets 429 at once; the pipeline scores one batch at a time).
PUBLIC_MAX_ARTICLES = 20
PUBLIC_CONCURRENCY = 2

#: The API's description in OpenAPI (``/docs``).
API_DESCRIPTION = """The HTTP API (FastAPI; OpenAPI at ``/docs``) over the store, plus the dashboard at ``/``.

Thin by design: each route validates its parameters (pydantic, here only), calls a function of
:mod:`nlp.store.queries` or the pipeline, and returns the result. One exception handler turns every
error into ``{"ok": false, "error": ..., "status": ...}``: an :class:`~nlp.errors.NlpError` keeps its
``status``; bad parameters are 422, malformed JSON 400, oversized bodies 413, too many unkeyed
scoring requests at once 429, and only a bug is 500.

Writes (``POST /v1/score?store=true``) need the API key (``api_key=`` or ``$NARRATIVES_API_KEY``) in
the ``X-API-Key`` header; with no key configured, writes are refused. Reads are public unless
``public_reads=False``.

Limits (defaults; see ``create_app``): a request body over 1,000,000 bytes gets 413 before it is
parsed. ``POST /v1/score`` without the key takes at most 20 records, and at most 2 such requests
are scored at once (another gets 429 with ``Retry-After``); with the key, at most 100 records.
A record whose text holds more markup than one record may is reported in ``errors``.
"""

#: Mounted in this order, which is the order of the paths in OpenAPI.
ROUTERS = (meta.router, index.router, articles.router, tickers.router, runs.router, score.router, market.router, dashboard.router)


def create_app(
    *,
    store_url: str | None = None,
    api_key: str | None = None,
    public_reads: bool = True,
    max_body_bytes: int = MAX_BODY_BYTES,
    max_articles: int = MAX_ARTICLES,
    public_max_articles: int = PUBLIC_MAX_ARTICLES,
    public_concurrency: int = PUBLIC_CONCURRENCY,
    model_dir: str | Path | None = None,
    market_path: str | Path | None = None,
    extract: bool = True,
) -> FastAPI:
    """Build the API over the store at ``store_url`` (see :func:`nlp.store.resolve_url`).

    Args:
        store_url: database URL or SQLite path; default ``$NARRATIVES_DB`` or ``./data/narratives.db``.
        api_key: key for writes; default ``$NARRATIVES_API_KEY``; none means writes are refused.
        public_reads: serve GET routes without the key.
        max_body_bytes: larger request bodies get 413 before they are parsed.
        max_articles: most articles in one ``POST /v1/score`` with the key.
        public_max_articles: most articles in one ``POST /v1/score`` without the key.
        public_concurrency: most unkeyed ``POST /v1/score`` scored at once; more get 429.
        model_dir: model for ``POST /v1/score`` (default: the shipped one), loaded on first use.
        market_path: ``date,symbol,close`` CSV or folder for the dashboard (default
            ``$NARRATIVES_MARKET`` or ``corpora/market``).
        extract: fill tickers, indices and figures when scoring.

    Examples:
        >>> from fastapi.testclient import TestClient  # doctest: +SKIP
        >>> TestClient(create_app(store_url="/tmp/n.db")).get("/health").json()["ok"]  # doctest: +SKIP
        True
    """
    store = Store(store_url)
    state = AppState(
        store=store,
        api_key=api_key if api_key is not None else os.environ.get("NARRATIVES_API_KEY") or None,
        market=MarketData(market_path if market_path is not None else default_market_path()),
        scorer=Scorer(model_dir, extract=extract),
        index_cache=q.IndexCache(),
        public_reads=public_reads,
        max_articles=max_articles,
        public_max_articles=public_max_articles,
        public_concurrency=public_concurrency,
    )

    app = FastAPI(title="narratives", version=__version__, description=API_DESCRIPTION)
    app.state.store = store
    app.state.narratives = state  # read by nlp.serve.dependencies.get_state
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    for exc_type in (NlpError, RequestValidationError, StarletteHTTPException, Exception):
        app.add_exception_handler(exc_type, handle_error)
    for router in ROUTERS:
        app.include_router(router)
    return app


__all__ = ["create_app"]
