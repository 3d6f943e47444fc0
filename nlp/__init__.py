"""narratives: track the "AI disrupts everything" and "AI returns are insufficient" narratives.

The import package is ``nlp``; the distribution and CLI are ``narratives``. Importing this package is
cheap: heavy dependencies (scikit-learn, spaCy, jieba's dictionary, torch) load on first use.
"""

from __future__ import annotations

import logging

from nlp.about import __version__
from nlp.records import Article, RecordError, ScoredArticle

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["Article", "Pipeline", "RecordError", "ScoredArticle", "__version__", "load"]


def __getattr__(name: str):
    # Pipeline pulls in numpy and the model loader; keep `import nlp` itself light.
    if name == "Pipeline":
        from nlp.pipeline import Pipeline

        return Pipeline
    if name == "load":
        from nlp.pipeline import load

        return load
    raise AttributeError(name)
