"""The service's one clock: every read of the current time goes through :func:`now`.

Two different days matter. The *desk's today* (in ``WARNING_TIMEZONE``, Asia/Shanghai by
default) decides which periods are in the future when data arrives and when schedules fire.
The *evaluation date* is the desk's today unless ``WARNING_AS_OF`` fixes another day (demo,
replays).

Tests (and replays) set the time with :func:`use_clock` and a :class:`FrozenClock`; the
engines never read the wall clock, they are given ``now``, ``today`` or a clock function.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from warning.settings import Settings


class Clock(Protocol):
    """A source of the current moment, timezone-aware."""

    def now(self) -> datetime: ...


class SystemClock:
    """The host's clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that stands still until moved: for tests and replays."""

    def __init__(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("a FrozenClock needs an aware datetime")
        self.moment = moment

    def now(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> datetime:
        """Move forward by ``timedelta(**delta)`` and return the new moment."""
        self.moment += timedelta(**delta)
        return self.moment


_current: Clock = SystemClock()


def now() -> datetime:
    """The current moment, timezone-aware (UTC), as stored in the database."""
    return _current.now()


@contextmanager
def use_clock(clock: Clock) -> Iterator[Clock]:
    """Within the block, :func:`now` answers from ``clock``."""
    global _current
    previous, _current = _current, clock
    try:
        yield clock
    finally:
        _current = previous


def desk_zone(settings: Settings) -> ZoneInfo:
    """The desk's time zone (``WARNING_TIMEZONE``): schedules and dates shown to people."""
    return ZoneInfo(settings.timezone)


def desk_now(settings: Settings) -> datetime:
    """The current moment in the desk's time zone."""
    return now().astimezone(desk_zone(settings))


def desk_today(settings: Settings) -> date:
    """Today's date in the desk's time zone."""
    return desk_now(settings).date()


def evaluation_date(settings: Settings) -> date:
    """The day evaluations are made for: ``WARNING_AS_OF``, else the desk's today."""
    return settings.as_of or desk_today(settings)
