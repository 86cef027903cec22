"""Replayed level histories (:mod:`warning.evaluation.history`), kept while the data hold.

A replay costs a tenth of a second or so per material; it depends only on the stored data
and the rule set, so it is kept per material and window until data arrive or an operator
changes a value (the board's :func:`~warning.web.board.fingerprint` moves). Requests asking
for the same replay at once wait for one computation instead of each doing it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from datetime import date

from sqlalchemy.orm import Session

import rules
from warning.evaluation.history import LevelHistory, replay_levels
from warning.web.board import fingerprint

KEEP = 64  # replays kept per process, the least recently used dropped first


class LevelCache:
    """Replays by (material, window, data fingerprint)."""

    def __init__(self, ruleset: rules.RuleSet) -> None:
        self.ruleset = ruleset
        self._lock = threading.Lock()
        self._kept: OrderedDict[Hashable, LevelHistory] = OrderedDict()
        self._computing: dict[Hashable, threading.Lock] = {}

    def get(self, session: Session, *, material_id: str, start: date, end: date) -> LevelHistory:
        key = (material_id, start, end, fingerprint(session))
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:
            with self._lock:
                if key in self._kept:
                    return self._kept[key]
            history = replay_levels(
                session, material_id=material_id, ruleset=self.ruleset, start=start, end=end
            )
            with self._lock:
                self._kept[key] = history
                while len(self._kept) > KEEP:
                    self._kept.popitem(last=False)
                self._computing.pop(key, None)
        return history
