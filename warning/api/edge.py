"""What every request meets before any route: a cap on its body, a JSON answer for a failure,
and a 422 that can always be written.

- :class:`BodyLimit` refuses a body larger than ``WARNING_MAX_BODY_BYTES`` with 413: at once
  from its ``Content-Length``, or as soon as a streamed (chunked) body passes the cap. It sits
  outside the routes, so nothing is authenticated, parsed or kept in memory first.
- :class:`ServerErrors` turns an unexpected exception into a JSON 500 (``detail``), sent
  through the middleware around it (the security headers), then lets the server log it.
- :func:`validation_failed` is the 422 of a malformed request: its ``detail`` lists each
  problem with where it is (``loc``); a value JSON cannot hold (``1e999999`` is read as
  infinity) is shown as text, so building the answer never fails.
"""

from __future__ import annotations

import logging
import math
from typing import Any, Final

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

MAX_BODY_SETTING: Final = "WARNING_MAX_BODY_BYTES"


class BodyTooLarge(Exception):
    """A streamed body passed the cap."""


class BodyLimit:
    """ASGI middleware: 413 for a request body over ``max_bytes``, before the app reads it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = refused = False

        async def counted() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    if not started:  # the 413 goes now; what the app sends after is dropped
                        refused = True
                        await self._refuse(scope, receive, send)
                    raise BodyTooLarge
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if refused:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except Exception:
            if not refused:  # what the app made of BodyTooLarge (a 400, a 500) is not shown
                raise

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = (
            f"the request body is larger than {self.max_bytes:,} bytes "
            f"(the setting {MAX_BODY_SETTING})"
        )
        answer = JSONResponse({"detail": detail}, status_code=413, headers={"Connection": "close"})
        await answer(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None  # the server refuses a malformed one
    return None


class ServerErrors:
    """ASGI middleware: an exception no handler took becomes a JSON 500, then is re-raised
    for the server to log (the answer has gone out by then, with the headers of the
    middleware around this one)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception:
            if not started:
                answer = JSONResponse({"detail": "internal server error"}, status_code=500)
                await answer(scope, receive, send)
            raise


async def validation_failed(_request: Request, error: Exception) -> JSONResponse:
    """422 with every problem of the request, each naming where it is."""
    assert isinstance(error, RequestValidationError)
    return JSONResponse({"detail": _json_safe(list(error.errors()))}, status_code=422)


def _json_safe(value: Any) -> Any:
    """``value`` with what JSON cannot hold (infinity, NaN, bytes, exceptions) as text."""
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)
