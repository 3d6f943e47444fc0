"""``GET /v1/runs``: recent ingest runs (documented under ``meta`` in OpenAPI, as before)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from nlp.serve.dependencies import READS, StateDep

router = APIRouter()


@router.get("/v1/runs", tags=["meta"], dependencies=[READS])
def get_runs(state: StateDep, limit: int = Query(20, ge=1, le=200)) -> dict[str, Any]:
    """Recent ingest runs with their status and counts."""
    return {"ok": True, "runs": state.store.list_runs(limit=limit)}
