"""Error types. Bad input *records* are data (:class:`nlp.records.RecordError`), not exceptions."""

from __future__ import annotations

from collections.abc import Iterable


class NlpError(Exception):
    """Base class of every error this package raises on purpose."""

    status = 500


class ConfigError(NlpError, ValueError):
    """An option or argument has a value that is not allowed."""

    status = 422


class NotFittedError(NlpError, ValueError, AttributeError):
    """A model was used before ``fit``."""

    status = 500


class ModelLoadError(NlpError, OSError):
    """A model folder is missing, incomplete or fails its checksums."""

    status = 500


class UnknownComponentError(NlpError, KeyError):
    """A registry name that is not registered."""

    status = 404

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class MissingDependencyError(NlpError, ImportError):
    """An optional dependency is not installed."""

    status = 500


class InputError(NlpError, ValueError):
    """An input file cannot be read at all (as opposed to a bad record inside it)."""

    status = 400


class TextTooComplexError(NlpError, ValueError):
    """One record's text needs more work than a record may take (say, hundreds of thousands of tags).

    The pipeline reports it as that record's :class:`~nlp.records.RecordError`; the batch goes on.
    """

    status = 413


class ModelVersionWarning(UserWarning):
    """A model was saved by a different version of the package or of its libraries."""


def value_invalid_msg(name: str, value: object, valid: Iterable[object]) -> str:
    """Message for an option with a value outside its allowed set."""
    return f"`{name}` = {value!r} is invalid; allowed values are {sorted(map(str, valid))}"
