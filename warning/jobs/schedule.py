"""When feeds run: APScheduler 3.11 cron specs per feed, in the desk's time zone.

The time zone is the service's ``WARNING_TIMEZONE`` (Asia/Shanghai by default), whatever the
host's; every spec carries it.

Defaults per frequency (a definition's ``schedule`` overrides hour, minute, day, weekday):

====  ===============================================  ==========================================
D     Monday-Friday 17:00                                after the 15:00 close and settlement
W     Saturday 10:00                                     weekly indices are out by Friday
T     4th, 14th, 24th 10:00                              NBS ten-day prices, ~3 days after
M     17th 10:00 (``schedule.day``)                      after the usual release (NBS ~ 15-16th)
Q     20 January / April / July / October 10:00
Y     1 March 10:00
====  ===============================================  ==========================================

Daily jobs also fire on the weekdays of holiday weeks; they then find nothing new, which is
harmless. Every job: id ``feed:<feed id>`` (stable across restarts), ``coalesce=True``,
``max_instances=1``, ``misfire_grace_time`` from ``schedule.misfire_grace_hours`` (hours,
not APScheduler's default of one second), ``replace_existing=True``.

API: ``job_spec(feed) -> JobSpec``, ``job_specs(feeds) -> list[JobSpec]``,
``check_schedules(definitions)`` (a DefinitionError for a schedule no trigger can be built from);
``JobSpec.trigger()`` builds the ``CronTrigger``, ``JobSpec.add_job_kwargs()`` the rest of
``scheduler.add_job(...)``; ``catch_up_due(spec, last_run, now)`` says whether a run was
missed while the service was down (run it once, then let the scheduler continue).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from feeds.definitions import DefinitionError, FeedDefinition, FeedDefinitions

DEFAULT_CRON: Final[dict[str, dict[str, str]]] = {
    "D": {"day_of_week": "mon-fri", "hour": "17", "minute": "0"},
    "W": {"day_of_week": "sat", "hour": "10", "minute": "0"},
    "T": {"day": "4,14,24", "hour": "10", "minute": "0"},
    "M": {"day": "17", "hour": "10", "minute": "0"},
    "Q": {"month": "1,4,7,10", "day": "20", "hour": "10", "minute": "0"},
    "Y": {"month": "3", "day": "1", "hour": "10", "minute": "0"},
}


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job: its stable id, cron fields in ``timezone``, and job options."""

    job_id: str
    feed_id: str
    frequency: str
    cron: dict[str, str] = field(hash=False)
    timezone: str
    coalesce: bool = True
    max_instances: int = 1
    misfire_grace_time: int = 6 * 3600

    def trigger(self) -> Any:
        """The APScheduler ``CronTrigger`` for this job (no scheduler is started)."""
        return CronTrigger(timezone=ZoneInfo(self.timezone), **self.cron)

    def add_job_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``scheduler.add_job(func, **spec.add_job_kwargs())``."""
        return {
            "trigger": self.trigger(),
            "id": self.job_id,
            "name": f"feed {self.feed_id} ({self.frequency})",
            "coalesce": self.coalesce,
            "max_instances": self.max_instances,
            "misfire_grace_time": self.misfire_grace_time,
            "replace_existing": True,
        }


def job_id(feed_id: str) -> str:
    return f"feed:{feed_id}"


def job_spec(feed: FeedDefinition, *, timezone: str) -> JobSpec:
    """The job for one feed in ``timezone``, from its frequency's defaults and its
    ``schedule`` overrides."""
    frequency = feed.frequency
    cron = dict(DEFAULT_CRON[frequency])
    schedule = feed.schedule
    if schedule.hour is not None:
        cron["hour"] = str(schedule.hour)
    if schedule.minute is not None:
        cron["minute"] = str(schedule.minute)
    if schedule.day is not None:
        cron["day"] = str(schedule.day)
        cron.pop("day_of_week", None)
    if schedule.day_of_week is not None:
        cron["day_of_week"] = schedule.day_of_week
        cron.pop("day", None)
    return JobSpec(
        job_id=job_id(feed.id),
        feed_id=feed.id,
        frequency=frequency,
        cron=cron,
        timezone=timezone,
        misfire_grace_time=int(schedule.misfire_grace_hours * 3600),
    )


def check_schedules(definitions: FeedDefinitions, *, timezone: str) -> None:
    """Build every feed's trigger now, enabled or not, so that a schedule APScheduler cannot
    read (``day_of_week: funday``) stops every command that loads the definitions, naming
    the file, feed and field, rather than the scheduler later."""
    for feed in definitions.feeds:
        try:
            job_spec(feed, timezone=timezone).trigger()
        except ValueError as error:
            field = "schedule.day_of_week" if feed.schedule.day_of_week else "schedule"
            raise DefinitionError(definitions.source, feed.id, field, str(error)) from None


def job_specs(feeds: Iterable[FeedDefinition], *, timezone: str) -> list[JobSpec]:
    """Jobs for the enabled feeds in ``timezone``, in definition order."""
    return [job_spec(feed, timezone=timezone) for feed in feeds if feed.enabled]


def catch_up_due(spec: JobSpec, last_run: datetime | None, now: datetime) -> bool:
    """True when the job should have fired between ``last_run`` and ``now`` (both aware).

    After downtime the service runs such a job once at start; several missed fire times
    still mean one run (the same rule as ``coalesce``).
    """
    if last_run is None:
        return True
    fire = spec.trigger().get_next_fire_time(None, last_run + timedelta(seconds=1))
    return fire is not None and fire <= now
