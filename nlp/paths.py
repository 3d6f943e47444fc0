"""Where the package finds its data: corpora, shipped models and caches.

The repository layout is the default (the package is installed in editable mode by ``make setup``);
``NARRATIVES_HOME`` points elsewhere, and ``NARRATIVES_CACHE`` moves derived caches.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(os.environ.get("NARRATIVES_HOME", Path(__file__).resolve().parents[1]))
CORPORA = REPO_ROOT / "corpora"
MODELS = REPO_ROOT / "models"
ENTITIES = CORPORA / "entities"
LEXICON = CORPORA / "lexicon"
LABELLED = CORPORA / "labelled"
SHARED = REPO_ROOT.parent / "shared"


def cache_dir() -> Path:
    """A writable folder for derived caches (matchers, jieba dictionary)."""
    base = os.environ.get("NARRATIVES_CACHE") or os.environ.get("XDG_CACHE_HOME")
    path = Path(base) / "narratives" if base else Path.home() / ".cache" / "narratives"
    path.mkdir(parents=True, exist_ok=True)
    return path
