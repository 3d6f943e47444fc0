"""ASGI middleware of the API: the request-body limit, enforced before anything parses a body."""

from __future__ import annotations

from typing import Any

from nlp.serve.http_errors import error_response


class BodyLimit:
    """ASGI middleware: refuse request bodies over ``max_bytes`` with 413, before anything parses them.

    The body is read here (bounded) and replayed to the app, so a chunked upload without a
    Content-Length is limited too.
    """

    def __init__(self, app: Any, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        too_big = error_response(413, f"request body over {self.max_bytes} bytes")
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await error_response(400, "bad Content-Length header")(scope, receive, send)
                return
            if int(declared) > self.max_bytes:
                await too_big(scope, receive, send)
                return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await too_big(scope, receive, send)
                return
            if not message.get("more_body"):
                break
        sent = False

        async def replay() -> dict:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
