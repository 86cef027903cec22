"""The service's clock: what "today" is for the desk, whatever the host's time zone.

Two different days matter. The *desk's today* (in ``WARNING_TIMEZONE``, Asia/Shanghai by
default) decides which periods are in the future when data arrives. The *evaluation date* is
the desk's today unless ``WARNING_AS_OF`` fixes another day (demo, replays).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from warning.settings import Settings


def desk_today(settings: Settings) -> date:
    """Today's date in the desk's time zone."""
    return datetime.now(ZoneInfo(settings.timezone)).date()


def evaluation_date(settings: Settings) -> date:
    """The day evaluations are made for: ``WARNING_AS_OF``, else the desk's today."""
    return settings.as_of or desk_today(settings)


def utc_now() -> datetime:
    """The current moment, timezone-aware, as stored in the database."""
    return datetime.now(UTC)
