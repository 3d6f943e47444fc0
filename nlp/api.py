"""The HTTP API (FastAPI; OpenAPI at ``/docs``) over the store, plus the dashboard at ``/``.

Thin by design: each route validates its parameters (pydantic, here only), calls a function of
:mod:`nlp.store.queries` or the pipeline, and returns the result. One exception handler turns every
error into ``{"ok": false, "error": ..., "status": ...}``: an :class:`~nlp.errors.NlpError` keeps its
``status``; bad parameters are 422, malformed JSON 400, oversized bodies 413, and only a bug is 500.

Writes (``POST /v1/score?store=true``) need the API key (``api_key=`` or ``$NARRATIVES_API_KEY``) in
the ``X-API-Key`` header; with no key configured, writes are refused. Reads are public unless
``public_reads=False``.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import threading
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from nlp.errors import NlpError
from nlp.records import NARRATIVES, Article, RecordError

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000
MAX_ARTICLES = 100
_KEY_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key for writes (and reads when private).")


class Unauthorized(NlpError):
    status = 401


class Forbidden(NlpError):
    status = 403


class PayloadTooLarge(NlpError):
    status = 413


class BadRequest(NlpError):
    status = 400


# -- schemas (the API edge is the only place pydantic is used) --------------------------------------


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


# -- the app ----------------------------------------------------------------------------------------


def create_app(
    *,
    store_url: str | None = None,
    api_key: str | None = None,
    public_reads: bool = True,
    max_body_bytes: int = MAX_BODY_BYTES,
    max_articles: int = MAX_ARTICLES,
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
        max_articles: most articles in one ``POST /v1/score``.
        model_dir: model for ``POST /v1/score`` (default: the shipped one), loaded on first use.
        market_path: ``date,symbol,close`` CSV or folder for the dashboard (default
            ``$NARRATIVES_MARKET`` or ``corpora/market``).
        extract: fill tickers, indices and figures when scoring.

    Examples:
        >>> from fastapi.testclient import TestClient  # doctest: +SKIP
        >>> TestClient(create_app(store_url="/tmp/n.db")).get("/health").json()["ok"]  # doctest: +SKIP
        True
    """
    from nlp.dashboard import STATIC, STATIC_FILES, MarketData, default_market_path, plotly_js
    from nlp.store import Store
    from nlp.store import queries as q

    store = Store(store_url)
    key = api_key if api_key is not None else os.environ.get("NARRATIVES_API_KEY") or None
    market = MarketData(market_path if market_path is not None else default_market_path())
    scorer = _Scorer(model_dir, extract=extract)
    index_cache = q.IndexCache()

    app = FastAPI(title="narratives", version=_version(), description=__doc__)
    app.state.store = store
    app.add_middleware(_BodyLimit, max_bytes=max_body_bytes)
    for exc_type in (NlpError, RequestValidationError, StarletteHTTPException, Exception):
        app.add_exception_handler(exc_type, _handle)

    def check_key(given: str | None) -> None:
        if key is None:
            raise Forbidden("this server has no API key configured (set NARRATIVES_API_KEY), so it accepts no writes")
        if not given or not hmac.compare_digest(given.encode(), key.encode()):
            raise Unauthorized("missing or wrong X-API-Key")

    def reader(given: Annotated[str | None, Depends(_KEY_HEADER)]) -> None:
        if not public_reads:
            check_key(given)

    Reads = Depends(reader)
    From = Query(None, alias="from", description="first day (UTC, YYYY-MM-DD), inclusive")
    To = Query(None, alias="to", description="last day (UTC, YYYY-MM-DD), inclusive")

    @app.get("/health", tags=["meta"])
    def health() -> dict[str, Any]:
        return {"ok": True, "schema_version": store.schema_version(), "database": store.dialect, "model": q.latest_model(store)}

    @app.get("/v1/index", response_model=IndexResponse, tags=["index"], dependencies=[Reads])
    def get_index(
        narrative: Literal["ai_disruption", "ai_returns_doubt"] | None = Query(None, description="default: both"),
        start: date | None = From,
        end: date | None = To,
        freq: Literal["D", "W", "M"] = "D",
        source: str | None = None,
        lang: Literal["en", "zh-Hans", "zh-Hant"] | None = None,
        model: str | None = Query(None, description="default: the model of the latest run"),
    ) -> Response:
        """The narrative index per period: counts, share, mean intensity, z-score and EWMA."""
        rows = q.index_json_rows(store, narratives=(narrative,) if narrative else NARRATIVES, start=start, end=end,
                                 freq=freq, lang=lang, source=source, model=model, cache=index_cache)
        # Hot path (dashboards poll it): rows come pre-serialised from the cache and are joined,
        # not re-validated through the response model (which still documents the shape).
        head = json.dumps({"ok": True, "model": model or q.latest_model(store), "freq": freq}, separators=(",", ":"))[:-1]
        return Response(f'{head},"rows":[{",".join(rows)}]}}', media_type="application/json")

    @app.get("/v1/articles", response_model=ArticlesResponse, tags=["articles"], dependencies=[Reads])
    def get_articles(
        start: date | None = From,
        end: date | None = To,
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
        page = q.list_articles(store, start=start, end=end, narrative=narrative, ticker=ticker, lang=lang, source=source,
                               model=model, limit=limit, offset=offset, cursor=cursor)
        return {"ok": True, "model": model or q.latest_model(store), "articles": page.articles, "next_cursor": page.next_cursor}

    @app.get("/v1/tickers/{symbol}", response_model=TickerResponse, tags=["tickers"], dependencies=[Reads])
    def get_ticker(
        symbol: str,
        start: date | None = From,
        end: date | None = To,
        freq: Literal["D", "W", "M"] = "D",
        model: str | None = None,
    ) -> dict[str, Any]:
        """Articles naming a ticker per period, its mentions, and how many carry each narrative."""
        if len(symbol) > 32:
            raise BadRequest("ticker symbols are at most 32 characters")
        return {"ok": True, "symbol": symbol.upper(), "rows": q.ticker_series(store, symbol, start=start, end=end, freq=freq, model=model)}

    @app.get("/v1/runs", tags=["meta"], dependencies=[Reads])
    def get_runs(limit: int = Query(20, ge=1, le=200)) -> dict[str, Any]:
        """Recent ingest runs with their status and counts."""
        return {"ok": True, "runs": store.list_runs(limit=limit)}

    @app.post("/v1/score", response_model=ScoreResponse, tags=["score"])
    def post_score(
        body: ScoreRequest,
        given: Annotated[str | None, Depends(_KEY_HEADER)],
        store_results: bool = Query(False, alias="store", description="also store the records (needs the API key)"),
    ) -> dict[str, Any]:
        """Score up to ``max_articles`` SPEC input records; store them as one run when ``store=true``."""
        if store_results or not public_reads:
            check_key(given)
        if not body.articles:
            raise BadRequest("`articles` is empty")
        if len(body.articles) > max_articles:
            raise PayloadTooLarge(f"{len(body.articles)} articles in one request; at most {max_articles}")
        articles, errors = _validate(body.articles)
        pairs = scorer.score(articles, errors)
        if not pairs and errors:
            raise _Unprocessable("no record could be scored: " + "; ".join(f"#{e.line}: {e.reason}" for e in errors[:5]))
        run = None
        if store_results:
            from nlp.store.ingest import store_scored

            run = store_scored(store, pairs, model=scorer.pipeline().model_name, errors=errors).to_dict()
        return {"ok": True, "records": [r.to_dict() for r, _ in pairs], "errors": [_err(e) for e in errors], "run": run}

    @app.get("/v1/market", tags=["market"], dependencies=[Reads])
    def get_market_symbols() -> dict[str, Any]:
        """Symbols with daily closes in the configured market CSV (empty when none is configured)."""
        return {"ok": True, "symbols": market.symbols()}

    @app.get("/v1/market/{symbol}", response_model=MarketResponse, tags=["market"], dependencies=[Reads])
    def get_market(symbol: str, start: date | None = From, end: date | None = To) -> dict[str, Any]:
        """Daily closes of one symbol."""
        rows = market.closes(symbol, start=start, end=end)
        if not rows and symbol.strip().upper() not in market.series():
            raise q.NotFoundError(f"no market data for {symbol!r}")
        return {"ok": True, "symbol": symbol.upper(), "rows": [{"date": d.isoformat(), "close": c} for d, c in rows]}

    # -- dashboard -------------------------------------------------------------------------------

    @app.get("/", include_in_schema=False)
    def dashboard() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        if name == "plotly.min.js":
            path = plotly_js()
            if path is None:
                raise q.NotFoundError("plotly is not installed: pip install 'narratives[index]'")
            return FileResponse(path, media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})
        if name not in STATIC_FILES:  # a fixed allow-list: no path from the URL reaches the file system
            raise q.NotFoundError(f"no static file {name!r}")
        return FileResponse(STATIC / name, media_type=STATIC_FILES[name])

    return app


class _Unprocessable(NlpError):
    status = 422


def _validate(items: list[InputArticle]) -> tuple[list[Article], list[RecordError]]:
    """SPEC validation of each record (shared with file input); a repeated id is an error."""
    from nlp.text.reader import article_from_mapping

    articles: list[Article] = []
    errors: list[RecordError] = []
    seen: set[str] = set()
    for i, item in enumerate(items, start=1):
        got = article_from_mapping(item.model_dump(exclude_none=True), line=i, path="request")
        if isinstance(got, Article) and got.id in seen:
            got = RecordError(i, f"duplicate id {got.id!r} (first copy kept)", got.id, "request")
        if isinstance(got, Article):
            seen.add(got.id)
            articles.append(got)
        else:
            errors.append(got)
    return articles, errors


def _err(e: RecordError) -> dict[str, Any]:
    return {"index": e.line, "id": e.id, "reason": e.reason}


class _Scorer:
    """The pipeline, loaded on the first POST (reads never pay for it) and used by one thread at a time."""

    def __init__(self, model_dir: str | Path | None, *, extract: bool) -> None:
        self.model_dir = model_dir
        self.extract = extract
        self._pipeline: Any = None
        self._lock = threading.Lock()

    def pipeline(self) -> Any:
        with self._lock:
            if self._pipeline is None:
                from nlp.pipeline import Pipeline

                self._pipeline = Pipeline.load(self.model_dir, extract=self.extract)
            return self._pipeline

    def score(self, articles: list[Article], errors: list[RecordError]) -> list[tuple[Any, Article]]:
        pipe = self.pipeline()
        with self._lock:
            out = list(pipe.pipe(articles)) if articles else []
        pairs = []
        for art, rec in zip(articles, out, strict=True):
            if isinstance(rec, RecordError):
                errors.append(rec)
            else:
                pairs.append((rec, art))
        return pairs


async def _handle(request: Request, exc: Exception) -> JSONResponse:
    """The one error handler: every failure becomes ``{"ok": false, "error", "status"}``."""
    if isinstance(exc, NlpError):
        status, message = exc.status, str(exc)
    elif isinstance(exc, RequestValidationError):
        status, message = _validation_message(exc)
    elif isinstance(exc, StarletteHTTPException):
        status, message = exc.status_code, str(exc.detail)
    else:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        status, message = 500, "internal error"
    return _error_response(status, message)


def _error_response(status: int, message: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error": message, "status": status}, status_code=status)


def _validation_message(exc: RequestValidationError) -> tuple[int, str]:
    parts = []
    for err in exc.errors()[:5]:
        if err.get("type") == "json_invalid":
            return 400, f"malformed JSON: {err.get('ctx', {}).get('error', 'cannot parse the body')}"
        loc = tuple(err.get("loc", ()))
        where = ".".join(str(x) for x in loc[1:]) or (str(loc[0]) if loc else "request")
        parts.append(f"{where}: {err.get('msg')}")
    return 422, "; ".join(parts) or "invalid request"


class _BodyLimit:
    """ASGI middleware: refuse request bodies over ``max_bytes`` with 413, before anything parses them.

    The body is read here (bounded) and replayed to the app, so a chunked upload without a
    Content-Length is limited too.
    """

    def __init__(self, app: Any, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        too_big = _error_response(413, f"request body over {self.max_bytes} bytes")
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await _error_response(400, "bad Content-Length header")(scope, receive, send)
                return
            if int(declared) > self.max_bytes:
                await too_big(scope, receive, send)
                return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await too_big(scope, receive, send)
                return
            if not message.get("more_body"):
                break
        sent = False

        async def replay() -> dict:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _version() -> str:
    from nlp.about import __version__

    return __version__


__all__ = ["create_app"]
