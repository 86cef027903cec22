"""When ``warning serve`` runs enterprise reporting's jobs (scheduled once per time across
replicas by :mod:`warning.jobs.service_jobs`): the aggregates when reports changed, every
:data:`AGGREGATE_EVERY_MINUTES`; the reminders once a day at :data:`REMIND_AT` (the desk's
time)."""

from __future__ import annotations

from typing import Final

from warning.clock import desk_today
from warning.context import ServiceContext
from warning.jobs.reminders import queue_reminders

AGGREGATE_EVERY_MINUTES: Final = 10
REMIND_AT: Final = (9, 0)


def remind_today(context: ServiceContext) -> None:
    """Queue the reminders of the desk's today."""
    queue_reminders(context, today=desk_today(context.settings))
