"""``GET /health``: the schema version, the database and the latest model."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from nlp.serve.dependencies import StateDep
from nlp.store import queries as q

router = APIRouter()


@router.get("/health", tags=["meta"])
def health(state: StateDep) -> dict[str, Any]:
    store = state.store
    return {"ok": True, "schema_version": store.schema_version(), "database": store.dialect, "model": q.latest_model(store)}
