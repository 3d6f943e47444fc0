"""``POST /v1/score``: score SPEC input records, and store them as one run with ``store=true``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from nlp.records import Article, RecordError
from nlp.serve.dependencies import KEY_HEADER, StateDep, check_key, has_key
from nlp.serve.http_errors import BadRequest, PayloadTooLarge, TooManyRequests, Unprocessable
from nlp.serve.schemas import InputArticle, ScoreRequest, ScoreResponse

router = APIRouter()


@router.post("/v1/score", response_model=ScoreResponse, tags=["score"])
def post_score(
    state: StateDep,
    body: ScoreRequest,
    given: Annotated[str | None, Depends(KEY_HEADER)],
    store_results: bool = Query(False, alias="store", description="also store the records (needs the API key)"),
) -> dict[str, Any]:
    """Score SPEC input records; store them as one run when ``store=true`` (needs the key).

    Without the key a request may hold at most ``public_max_articles`` records, and at most
    ``public_concurrency`` such requests are scored at once: one more gets 429 with
    ``Retry-After`` straight away, so unkeyed traffic can never hold every worker. With the key
    the limit is ``max_articles`` records and requests wait their turn. Every request is also
    under the body limit (413), and each record under the markup limit (reported per record).
    """
    if store_results or not state.public_reads:
        check_key(state, given)
    keyed = has_key(state, given)
    max_articles = state.max_articles if keyed else state.public_max_articles
    if not body.articles:
        raise BadRequest("`articles` is empty")
    if len(body.articles) > max_articles:
        hint = "" if keyed else f" without X-API-Key (with it: {state.max_articles})"
        raise PayloadTooLarge(f"{len(body.articles)} articles in one request; at most {max_articles}{hint}")
    articles, errors = _validate(body.articles)
    scorer = state.scorer
    if keyed:
        pairs = scorer.score(articles, errors)
    elif state.public_slots.acquire(blocking=False):
        try:
            pairs = scorer.score(articles, errors)
        finally:
            state.public_slots.release()
    else:
        raise TooManyRequests(f"{state.public_concurrency} unkeyed scoring requests are already running, the most allowed; "
                              "retry shortly, or send X-API-Key")
    if not pairs and errors:
        raise Unprocessable("no record could be scored: " + "; ".join(f"#{e.line}: {e.reason}" for e in errors[:5]))
    run = None
    if store_results:
        from nlp.store.ingest import store_scored

        run = store_scored(state.store, pairs, model=scorer.pipeline().model_name, errors=errors).to_dict()
    return {"ok": True, "records": [r.to_dict() for r, _ in pairs], "errors": [_err(e) for e in errors], "run": run}


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

