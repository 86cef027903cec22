"""Rendered pages, kept while what they show holds.

The board, the queue, an item and a material page are what analysts reload all day; between
two changes to the store they are the same for a user each time. They are kept by a key
naming everything they depend on: the page and its parameters, the user's name, role and
language, and the store's :func:`~warning.web.board.fingerprint` (newest evaluation run, feed
run and audit entry: every change a page shows moves one of them). A kept page also holds the
minute it was rendered in (for "3 minutes ago"): in a later minute one request renders it
again while the others are still given the last minute's (a change to the store, though,
moves the fingerprint and so the key: no page from before a change is ever given). When
several requests want a page nobody has rendered yet, one renders it and the others wait.

The session's CSRF token is not kept in the pages: each answer fills it in
(:data:`~warning.web.templating.CSRF_SLOT`).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime

KEEP = 512  # pages kept per process (tens of KB each), the least recently used dropped first
RENDERING_AT_MOST = 10.0  # seconds: a render not done by then (it failed) may be tried again


@dataclass
class _Page:
    minute: datetime
    html: str
    rendering_since: float | None = None  # a request renders this page's new minute


class RenderedPages:
    """Pages by key, least recently used dropped first."""

    def __init__(self, keep: int = KEEP) -> None:
        self.keep = keep
        self._lock = threading.Lock()
        self._kept: OrderedDict[Hashable, _Page] = OrderedDict()
        self._rendering: dict[Hashable, threading.Lock] = {}

    def peek(self, key: Hashable, minute: datetime) -> str | None:
        """The page kept for ``key`` when it may be given now; None when the caller should
        render it (:meth:`get`): nothing kept, or a page of an earlier minute that nobody is
        rendering again yet (the caller then is that one)."""
        with self._lock:
            page = self._kept.get(key)
            if page is None:
                return None
            self._kept.move_to_end(key)
            if page.minute == minute:
                return page.html
            now = time.monotonic()
            if page.rendering_since is not None and now - page.rendering_since < RENDERING_AT_MOST:
                return page.html  # the last minute's, while one request renders this one
            page.rendering_since = now
            return None

    def get(self, key: Hashable, minute: datetime, render: Callable[[], str]) -> str:
        """The page of this minute kept for ``key``, else ``render()``'s (one render at a time
        per key: the others wait for it), kept."""
        with self._lock:
            page = self._kept.get(key)
            if page is not None and page.minute == minute:
                return page.html
            rendering = self._rendering.setdefault(key, threading.Lock())
        with rendering:
            with self._lock:
                page = self._kept.get(key)
                if page is not None and page.minute == minute:
                    return page.html
            html = render()
            with self._lock:
                self._kept[key] = _Page(minute, html)
                self._kept.move_to_end(key)
                while len(self._kept) > self.keep:
                    self._kept.popitem(last=False)
                self._rendering.pop(key, None)
        return html
