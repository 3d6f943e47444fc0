"""Errors as HTTP responses: the API's error types and its one exception handler.

Every failure becomes ``{"ok": false, "error": ..., "status": ...}``: an
:class:`~nlp.errors.NlpError` keeps its ``status``; bad parameters are 422, malformed JSON 400,
oversized bodies 413 (see :mod:`nlp.serve.middleware`), and only a bug is 500.
"""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from nlp.errors import NlpError

log = logging.getLogger(__name__)


class Unauthorized(NlpError):
    """No API key, or the wrong one, where one is needed."""

    status = 401


class Forbidden(NlpError):
    """A write to a server that has no API key configured."""

    status = 403


class PayloadTooLarge(NlpError):
    """A request over the body or article limits."""

    status = 413


class TooManyRequests(NlpError):
    """More unkeyed scoring requests in flight than the server allows; the client should retry."""

    status = 429
    #: Seconds a client should wait before retrying (sent as ``Retry-After``).
    retry_after = 2


class BadRequest(NlpError):
    """A request the API cannot act on (an empty list, an overlong symbol)."""

    status = 400


class Unprocessable(NlpError):
    """A well-formed request none of whose records could be scored."""

    status = 422


async def handle_error(request: Request, exc: Exception) -> JSONResponse:
    """The one error handler: every failure becomes ``{"ok": false, "error", "status"}``."""
    headers = None
    if isinstance(exc, NlpError):
        status, message = exc.status, str(exc)
        if isinstance(exc, TooManyRequests):
            headers = {"Retry-After": str(exc.retry_after)}
    elif isinstance(exc, RequestValidationError):
        status, message = validation_message(exc)
    elif isinstance(exc, StarletteHTTPException):
        status, message = exc.status_code, str(exc.detail)
    else:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        status, message = 500, "internal error"
    return error_response(status, message, headers=headers)


def error_response(status: int, message: str, *, headers: dict[str, str] | None = None) -> JSONResponse:
    """The body every error has: ``{"ok": false, "error": message, "status": status}``."""
    return JSONResponse({"ok": False, "error": message, "status": status}, status_code=status, headers=headers)


def validation_message(exc: RequestValidationError) -> tuple[int, str]:
    """Status and message for invalid parameters (422), or for a body that is not JSON (400)."""
    parts = []
    for err in exc.errors()[:5]:
        if err.get("type") == "json_invalid":
            return 400, f"malformed JSON: {err.get('ctx', {}).get('error', 'cannot parse the body')}"
        loc = tuple(err.get("loc", ()))
        where = ".".join(str(x) for x in loc[1:]) or (str(loc[0]) if loc else "request")
        parts.append(f"{where}: {err.get('msg')}")
    return 422, "; ".join(parts) or "invalid request"
