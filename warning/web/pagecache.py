"""Rendered pages, kept while what they show holds.

The board, the queue, an item and a material page are what analysts reload all day; between
two changes to the store they are the same for a user each time. They are kept by a key
naming everything they depend on: the page and its parameters, the user's name, role and
language, the store's :func:`~warning.web.board.fingerprint` (newest evaluation run, feed run
and audit entry: every change a page shows moves one of them) and the minute (for "3 minutes
ago"). The session's CSRF token is not kept in them: each answer fills it in
(:data:`~warning.web.templating.CSRF_SLOT`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

KEEP = 512  # pages kept per process (tens of KB each), the least recently used dropped first


class RenderedPages:
    """Pages by key, least recently used dropped first."""

    def __init__(self, keep: int = KEEP) -> None:
        self.keep = keep
        self._lock = threading.Lock()
        self._kept: OrderedDict[Hashable, str] = OrderedDict()

    def peek(self, key: Hashable) -> str | None:
        """The page kept for ``key``, if any."""
        with self._lock:
            page = self._kept.get(key)
            if page is not None:
                self._kept.move_to_end(key)
            return page

    def get(self, key: Hashable, render: Callable[[], str]) -> str:
        """The page kept for ``key``, else ``render()``'s, kept."""
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        page = render()
        with self._lock:
            self._kept[key] = page
            while len(self._kept) > self.keep:
                self._kept.popitem(last=False)
        return page
