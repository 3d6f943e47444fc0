"""Store fixtures: a fresh store per test, on SQLite and (when ``NARRATIVES_TEST_PG_URL`` is set) PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from nlp.records import Evidence, ScoredArticle, TickerMention

PG_URL = os.environ.get("NARRATIVES_TEST_PG_URL")
PG_SKIP = "NARRATIVES_TEST_PG_URL is unset (source .ci/postgres.sh to start PostgreSQL on loopback)"
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.skipif(not PG_URL, reason=PG_SKIP)),
]


def store_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database: a SQLite file, or a throw-away PostgreSQL schema."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:12]}"  # generated here, never user input
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from store_url(request.param, tmp_path)


@pytest.fixture
def store(db_url: str):
    from nlp.store import Store

    st = Store(db_url)
    yield st
    st.close()


def scored(
    doc_id: str,
    day: str | None = "2026-02-03",
    *,
    labels: tuple[str, ...] = (),
    model: str = "m-1",
    lang: str = "en",
    source: str | None = "wire",
    tickers: tuple[tuple[str, int], ...] = (),
    intensity: float = 0.5,
) -> ScoredArticle:
    """A synthetic scored record (no pipeline needed)."""
    published = datetime.fromisoformat(day + "T12:00:00").replace(tzinfo=UTC) if day else None
    narratives = ("ai_disruption", "ai_returns_doubt")
    return ScoredArticle(
        id=doc_id,
        lang=lang,  # type: ignore[arg-type]
        published=published,
        scores={n: 0.9 if n in labels else 0.1 for n in narratives},
        labels=list(labels),
        intensity={n: intensity if n in labels else 0.0 for n in narratives},
        evidence={n: [Evidence(f"{n} sentence of {doc_id}.", 0, 10, 0.9)] for n in labels},
        tickers=[TickerMention(sym, sym, n, ((0, len(sym)),)) for sym, n in tickers],
        model=model,
        source=source,
        title=f"title {doc_id}",
    )
