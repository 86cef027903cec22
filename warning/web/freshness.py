"""The two answers every page view asks the store for, kept for up to a second.

A page view needs the signed-in browser (user, role, language, CSRF token) and the store's
:func:`~warning.web.board.fingerprint` (to know whether a kept page still holds). Both stay
the same from one view to the next almost always; under load, asking the store each time
costs more than the rest of a kept page. So this process keeps each answer (a monotonic
clock, not the wall clock): for :data:`TTL` seconds it is simply used; for :data:`GRACE`
seconds more it is still used while one request, and only one, asks the store again (so
that fifty requests arriving together do not all ask at once); after that it is not used.

What that allows: a change made by another process (a feed run of the scheduler, a command,
another server) shows on the pages, and a session ended or a user disabled there stops
working, at most ``TTL + GRACE`` (one second) later. A change made through this process (any
form post or API call that is not a read) makes it forget both at once, before its answer
goes out, so the page the browser is sent to next already shows it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Generic, TypeVar

from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from warning.accounts.sessions import Browser, signed_in
from warning.web.board import fingerprint

TTL: Final = 0.5
GRACE: Final = 0.5
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
T = TypeVar("T")


@dataclass
class _Kept(Generic[T]):
    at: float
    value: T
    asking: bool = False  # one request is asking the store again


class Freshness:
    """The store's fingerprint and signed-in browsers, kept as the module docstring says."""

    def __init__(self, ttl: float = TTL, grace: float = GRACE) -> None:
        self.ttl, self.grace = ttl, grace
        self._lock = threading.Lock()
        self._fingerprint: _Kept[tuple[Any, ...]] | None = None
        self._browsers: dict[str, _Kept[Browser]] = {}

    def _usable(self, kept: _Kept[Any] | None) -> bool:
        """Fresh, or in its grace while another request asks again (then claims the asking
        when nobody does: the caller goes to the store). Called with the lock held."""
        if kept is None:
            return False
        age = time.monotonic() - kept.at
        if age < self.ttl:
            return True
        if age < self.ttl + self.grace:
            if kept.asking:
                return True
            kept.asking = True
        return False

    def peek_fingerprint(self) -> tuple[Any, ...] | None:
        """The kept fingerprint when it may be used (never asks the store)."""
        with self._lock:
            kept = self._fingerprint
            return kept.value if kept is not None and self._usable(kept) else None

    def fingerprint(self, db: Session) -> tuple[Any, ...]:
        """The kept fingerprint when it may be used, else the store's (then kept)."""
        found = self.peek_fingerprint()
        if found is not None:
            return found
        found = fingerprint(db)
        with self._lock:
            self._fingerprint = _Kept(time.monotonic(), found)
        return found

    def peek_browser(self, cookie: str, *, now: datetime) -> Browser | None:
        """The kept session of ``cookie`` when it may be used (never asks the store)."""
        with self._lock:
            kept = self._browsers.get(cookie)
            if kept is not None and now < kept.value.expires_at and self._usable(kept):
                return kept.value
            return None

    def browser(self, db: Session, *, cookie: str, now: datetime) -> Browser | None:
        """The live session of ``cookie`` (a missing one is not kept: a login counts at once)."""
        found = self.peek_browser(cookie, now=now)
        if found is not None:
            return found
        found = signed_in(db, cookie=cookie, now=now)
        with self._lock:
            if found is None:
                self._browsers.pop(cookie, None)
            else:
                if len(self._browsers) > 10_000:  # cookies of sessions long gone
                    self._browsers.clear()
                self._browsers[cookie] = _Kept(time.monotonic(), found)
        return found

    def forget(self) -> None:
        """Something changed through this process: ask the store again next time."""
        with self._lock:
            self._fingerprint = None
            self._browsers.clear()


class ForgetOnChange:
    """ASGI middleware: a request that may change something makes :class:`Freshness` forget,
    when its answer starts (after its transaction committed), and again when it is done
    (after work that runs once the answer went)."""

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
            self.freshness.forget()
