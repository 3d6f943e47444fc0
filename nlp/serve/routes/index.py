"""``GET /v1/index``: the narrative index per period (the dashboard's hot path)."""

from __future__ import annotations

import json
from datetime import date
from typing import Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from nlp.records import NARRATIVES
from nlp.serve.dependencies import FROM, READS, TO, StateDep
from nlp.serve.schemas import IndexResponse
from nlp.store import queries as q

router = APIRouter()


@router.get("/v1/index", response_model=IndexResponse, tags=["index"], dependencies=[READS])
def get_index(
    state: StateDep,
    narrative: Literal["ai_disruption", "ai_returns_doubt"] | None = Query(None, description="default: both"),
    start: date | None = FROM,
    end: date | None = TO,
    freq: Literal["D", "W", "M"] = "D",
    source: str | None = None,
    lang: Literal["en", "zh-Hans", "zh-Hant"] | None = None,
    model: str | None = Query(None, description="default: the model of the latest run"),
) -> Response:
    """The narrative index per period: counts, share, mean intensity, z-score and EWMA."""
    store = state.store
    rows = q.index_json_rows(store, narratives=(narrative,) if narrative else NARRATIVES, start=start, end=end,
                             freq=freq, lang=lang, source=source, model=model, cache=state.index_cache)
    # Hot path (dashboards poll it): rows come pre-serialised from the cache and are joined,
    # not re-validated through the response model (which still documents the shape).
    head = json.dumps({"ok": True, "model": model or q.latest_model(store), "freq": freq}, separators=(",", ":"))[:-1]
    return Response(f'{head},"rows":[{",".join(rows)}]}}', media_type="application/json")
