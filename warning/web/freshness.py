"""The two answers every page view asks the store for, kept for a second.

A page view needs the signed-in browser (user, role, language, CSRF token) and the store's
:func:`~warning.web.board.fingerprint` (to know whether a kept page still holds). Both stay
the same from one view to the next almost always; under load, asking the store each time
costs more than the rest of a kept page. So this process keeps each answer for
:data:`TTL` seconds (a monotonic clock, not the wall clock).

What that allows: a change made by another process (a feed run of the scheduler, a command,
another server) shows on the pages, and a session ended or a user disabled there stops
working, at most :data:`TTL` later. A change made through this process (any form post or
API call that is not a read) makes it forget both at once, before its answer goes out, so
the page the browser is sent to next already shows it.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import Any, Final

from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from warning.accounts.sessions import Browser, signed_in
from warning.web.board import fingerprint

TTL: Final = 1.0
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})


class Freshness:
    """The store's fingerprint and signed-in browsers, each kept :data:`TTL` seconds."""

    def __init__(self, ttl: float = TTL) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._fingerprint: tuple[float, tuple[Any, ...]] | None = None
        self._browsers: dict[str, tuple[float, Browser]] = {}

    def fingerprint(self, db: Session) -> tuple[Any, ...]:
        now = time.monotonic()
        with self._lock:
            kept = self._fingerprint
        if kept is not None and now - kept[0] < self.ttl:
            return kept[1]
        found = fingerprint(db)
        with self._lock:
            self._fingerprint = (now, found)
        return found

    def browser(self, db: Session, *, cookie: str, now: datetime) -> Browser | None:
        """The live session of ``cookie`` (not kept when there is none: a login counts at once)."""
        moment = time.monotonic()
        with self._lock:
            kept = self._browsers.get(cookie)
        if kept is not None and moment - kept[0] < self.ttl and now < kept[1].expires_at:
            return kept[1]
        found = signed_in(db, cookie=cookie, now=now)
        with self._lock:
            if found is None:
                self._browsers.pop(cookie, None)
            else:
                if len(self._browsers) > 10_000:  # cookies of sessions long gone
                    self._browsers.clear()
                self._browsers[cookie] = (moment, found)
        return found

    def peek_fingerprint(self) -> tuple[Any, ...] | None:
        """The kept fingerprint if it is fresh (never asks the store)."""
        with self._lock:
            kept = self._fingerprint
        if kept is not None and time.monotonic() - kept[0] < self.ttl:
            return kept[1]
        return None

    def peek_browser(self, cookie: str, *, now: datetime) -> Browser | None:
        """The kept session of ``cookie`` if it is fresh (never asks the store)."""
        with self._lock:
            kept = self._browsers.get(cookie)
        if kept is not None and time.monotonic() - kept[0] < self.ttl and now < kept[1].expires_at:
            return kept[1]
        return None

    def forget(self) -> None:
        """Something changed through this process: ask the store again next time."""
        with self._lock:
            self._fingerprint = None
            self._browsers.clear()


class ForgetOnChange:
    """ASGI middleware: a request that may change something makes :class:`Freshness` forget,
    when its answer starts (after its transaction committed)."""

    def __init__(self, app: ASGIApp, freshness: Freshness) -> None:
        self.app = app
        self.freshness = freshness

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in SAFE_METHODS:
            await self.app(scope, receive, send)
            return

        async def forget_then_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.freshness.forget()
            await send(message)

        try:
            await self.app(scope, receive, forget_then_send)
        finally:
            self.freshness.forget()  # also after work done once the answer went (background)
