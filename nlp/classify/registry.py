"""Backends registered by versioned name (``tfidf-logreg.v1``, ``keywords.v1``, ``transformer.v1``).

A plain dict. Factories import their heavy dependencies inside the call, so registering the
transformer backend costs nothing until it is used.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any

from nlp.errors import UnknownComponentError

_REGISTRY: dict[str, Callable[[], type]] = {}


def register(name: str) -> Callable[[Callable[[], type]], Callable[[], type]]:
    """Register a factory that returns the backend class for ``name``."""

    def deco(factory: Callable[[], type]) -> Callable[[], type]:
        _REGISTRY[name] = factory
        return factory

    return deco


def get(name: str) -> Any:
    """The backend class registered as ``name``.

    Raises:
        UnknownComponentError: ``name`` is not registered; the message lists what is.
    """
    _load_builtins()
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise UnknownComponentError(f"no classifier backend named {name!r}; available: {available()}") from None
    return factory()


def available() -> list[str]:
    """Registered backend names, sorted."""
    _load_builtins()
    return sorted(_REGISTRY)


_BUILTINS_LOADED = False


def _load_builtins() -> None:
    global _BUILTINS_LOADED
    if _BUILTINS_LOADED:
        return
    _BUILTINS_LOADED = True
    # Importing the modules runs their @register decorators; they import nothing heavy.
    from nlp.classify import keywords, linear  # noqa: F401

    if importlib.util.find_spec("nlp.classify.transformer") is not None:
        from nlp.classify import transformer  # noqa: F401
