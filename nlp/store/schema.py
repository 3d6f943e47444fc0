"""Tables of the narrative store (SQLAlchemy Core; the same definitions serve SQLite and PostgreSQL).

``articles`` holds one row per (article id, content hash, model): re-ingesting the same input with
the same model is a no-op, a new model's scores sit beside the old, and an edited article (same id,
new content) becomes the ``current`` version while the old row stays as history. ``daily_index`` is
the materialised per-day aggregate the API reads; it is refreshed only for the days a run touched.

The ``stage_*`` tables hold a running ingest's chunks until the run is swapped in (see
:mod:`nlp.store.store`); readers never look at them.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", DateTime, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("model", String(200), nullable=False),
    Column("inputs", Text, nullable=False),  # JSON list of input paths / "api"
    Column("status", String(16), nullable=False),  # running | done | failed
    Column("n_read", Integer, nullable=False, default=0),
    Column("n_scored", Integer, nullable=False, default=0),
    Column("n_rejected", Integer, nullable=False, default=0),
    Column("n_new", Integer, nullable=False, default=0),
    Column("n_days", Integer, nullable=False, default=0),
    Column("errors", Text, nullable=False, default="[]"),  # JSON, the first errors of the run
    Column("message", Text),
    Column("started_at", DateTime, nullable=False),
    Column("heartbeat_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    # The process that started the run (schema v3), so that a later process can tell it is gone.
    Column("owner_host", String(255)),
    Column("owner_pid", Integer),
    Column("owner_token", String(80)),
)
Index("ix_runs_status", runs.c.status, runs.c.finished_at)


def _article_columns() -> list[Column]:
    """Columns shared by ``articles`` and ``stage_articles`` (so a swap is one INSERT ... SELECT)."""
    return [
        Column("uid", String(40), nullable=False),  # sha256(id, content hash, model)[:40]
        Column("article_id", Text, nullable=False),
        Column("content_hash", String(64), nullable=False),
        Column("model", String(200), nullable=False),
        Column("published_at", DateTime),  # naive UTC
        Column("day", Date),  # UTC day of published_at; NULL when the article has no date
        Column("ts", DateTime, nullable=False),  # published_at, or ingest time: the listing order
        Column("lang", String(8), nullable=False),
        Column("source", Text, nullable=False, default=""),
        Column("title", Text),
        Column("url", Text),
        Column("record", Text, nullable=False),  # the SPEC record as JSON
    ]


def _score_columns() -> list[Column]:
    """Columns of a per-narrative score row, shared by ``article_scores`` and ``stage_scores``."""
    return [
        Column("narrative", String(64), primary_key=True),
        Column("score", Float, nullable=False),
        Column("labelled", Integer, nullable=False),  # 0/1, so that SUM counts labelled articles
        Column("intensity", Float, nullable=False),
    ]


def _ticker_columns() -> list[Column]:
    """Columns of a ticker row, shared by ``tickers`` and ``stage_tickers``."""
    return [Column("symbol", String(32), primary_key=True), Column("mentions", Integer, nullable=False)]


articles = Table(
    "articles",
    metadata,
    *_article_columns(),
    Column("run_id", String(32), ForeignKey("runs.id"), nullable=False),
    Column("is_current", Boolean, nullable=False, default=True),
    PrimaryKeyConstraint("uid", name="pk_articles"),
    UniqueConstraint("article_id", "content_hash", "model", name="uq_articles_version"),
)
Index("ix_articles_model_day", articles.c.model, articles.c.day)
Index("ix_articles_model_ts", articles.c.model, articles.c.ts, articles.c.uid)
Index("ix_articles_id_model", articles.c.article_id, articles.c.model)
Index("ix_articles_run", articles.c.run_id)

article_scores = Table(
    "article_scores",
    metadata,
    Column("uid", String(40), ForeignKey("articles.uid", ondelete="CASCADE"), primary_key=True),
    *_score_columns(),
)

tickers = Table(
    "tickers",
    metadata,
    Column("uid", String(40), ForeignKey("articles.uid", ondelete="CASCADE"), primary_key=True),
    *_ticker_columns(),
)
Index("ix_tickers_symbol", tickers.c.symbol)

daily_index = Table(
    "daily_index",
    metadata,
    Column("model", String(200), primary_key=True),
    Column("narrative", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("lang", String(8), primary_key=True),
    Column("source", Text, primary_key=True),  # "" when the article names none
    Column("n_articles", Integer, nullable=False),
    Column("n_labelled", Integer, nullable=False),
    Column("sum_intensity", Float, nullable=False),
)
Index("ix_daily_index_lookup", daily_index.c.model, daily_index.c.narrative, daily_index.c.day)

stage_articles = Table(
    "stage_articles",
    metadata,
    Column("run_id", String(32), ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    *_article_columns(),
    PrimaryKeyConstraint("run_id", "uid", name="pk_stage_articles"),
)

stage_scores = Table(
    "stage_scores",
    metadata,
    Column("run_id", String(32), ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("uid", String(40), primary_key=True),
    *_score_columns(),
)

stage_tickers = Table(
    "stage_tickers",
    metadata,
    Column("run_id", String(32), ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("uid", String(40), primary_key=True),
    *_ticker_columns(),
)
