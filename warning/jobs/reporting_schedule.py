"""When ``warning serve`` runs enterprise reporting's jobs: the aggregates when reports
changed, every :data:`AGGREGATE_EVERY_MINUTES`; the reminders once a day at
:data:`REMIND_AT` (the desk's time)."""

from __future__ import annotations

from typing import Final

from apscheduler.schedulers.base import BaseScheduler

from warning.clock import desk_today
from warning.context import ServiceContext
from warning.jobs.reminders import queue_reminders
from warning.jobs.reporting import aggregate_if_changed

AGGREGATE_EVERY_MINUTES: Final = 10
REMIND_AT: Final = (9, 0)


def add_reporting_jobs(scheduler: BaseScheduler, context: ServiceContext) -> None:
    """The reporting jobs of ``warning serve``: the aggregates when reports changed (every
    :data:`AGGREGATE_EVERY_MINUTES`), the reminders once a day at :data:`REMIND_AT`."""
    every = {"coalesce": True, "max_instances": 1, "replace_existing": True}
    scheduler.add_job(
        aggregate_if_changed,
        "interval",
        minutes=AGGREGATE_EVERY_MINUTES,
        args=[context],
        id="reporting:aggregate",
        name="reported aggregates",
        **every,
    )
    hour, minute = REMIND_AT
    scheduler.add_job(
        remind_today,
        "cron",
        hour=hour,
        minute=minute,
        args=[context],
        id="reporting:remind",
        name="reporting reminders",
        misfire_grace_time=6 * 3600,
        **every,
    )


def remind_today(context: ServiceContext) -> None:
    """Queue the reminders of the desk's today."""
    queue_reminders(context, today=desk_today(context.settings))
