"""Persistent store of scored articles, runs and the materialised daily narrative index.

SQLite by default (``./data/narratives.db``, or ``$NARRATIVES_DB``), PostgreSQL when given a
``postgresql+psycopg://`` URL; SQLAlchemy Core throughout, schema versioned by
:mod:`nlp.store.migrations`. Ingests are staged and swapped in atomically (:mod:`nlp.store.store`).
"""

from __future__ import annotations

from nlp.store.store import RunStateError, RunSummary, Store, article_uid, content_hash, resolve_url

__all__ = ["RunStateError", "RunSummary", "Store", "article_uid", "content_hash", "resolve_url"]
