"""The jobs ``warning serve`` schedules, by role: the scheduled jobs and the delivery worker.

Scheduled jobs (``scheduled``) run once per scheduled time across every replica sharing the
store (:mod:`warning.jobs.once`): each feed on its schedule, the review queue's sweep at the
start of every minute, the old login attempts, sessions and job runs pruned every hour, and
the daily digest at ``WARNING_DIGEST_TIME`` (weekly on Mondays, monthly on the 1st); every
few seconds each scheduling replica takes over the runs another released or left behind.
The delivery worker (``worker``) runs every ten seconds in every replica that has it: the
outbox shares the deliveries between them (``FOR UPDATE SKIP LOCKED``).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import Any, Final
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger

import rules
from alerts.digest import DigestKind
from feeds.definitions import FeedDefinitions
from warning import clock
from warning.clock import desk_today
from warning.context import ServiceContext
from warning.feeding.raw_frames import RawFrames
from warning.jobs.canary import CANARY_JOB, CANARY_TIME, live_feeds, run_canary
from warning.jobs.cross_checks import CROSS_CHECK_JOB, CROSS_CHECK_TIME, run_cross_checks
from warning.jobs.delivery import deliver_due
from warning.jobs.digest import run_digest
from warning.jobs.once import JobRuns
from warning.jobs.pipeline import after_feed_run, prune_accounts, sweep_review_queue
from warning.jobs.reporting import aggregate_if_changed
from warning.jobs.reporting_schedule import AGGREGATE_EVERY_MINUTES, REMIND_AT, remind_today
from warning.jobs.scheduler import RunningFeeds, build_feed_scheduler, make_scheduler
from warning.store import job_runs, transaction

log = logging.getLogger(__name__)

SWEEP_JOB: Final = "review:sweep"
DELIVERY_JOB: Final = "delivery:worker"
PRUNE_JOB: Final = "accounts:prune"
TAKE_OVER_JOB: Final = "jobs:take-over"
KEEP_JOB_RUNS: Final = timedelta(days=30)
EVERY: Final[dict[str, Any]] = {"coalesce": True, "max_instances": 1, "replace_existing": True}


def build_service_scheduler(
    context: ServiceContext,
    *,
    definitions: FeedDefinitions,
    ruleset: rules.RuleSet,
    running: RunningFeeds,
    runs: JobRuns,
    scheduled: bool,
    worker: bool,
) -> tuple[BaseScheduler, list[str]]:
    """The scheduler for the roles asked (not started), and the feed jobs it catches up."""
    zone = context.settings.timezone
    caught_up: list[str] = []
    if scheduled:
        scheduler, caught_up = build_feed_scheduler(
            context.factory,
            definitions=definitions.feeds,
            secrets=context.settings.feed_secrets,
            timezone=zone,
            on_outcome=lambda outcome: after_feed_run(context, ruleset, outcome),
            running=running,
            runs=runs,
            raw=RawFrames.from_settings(context.settings),
        )
        _add_scheduled(scheduler, context, runs, definitions)
    else:
        scheduler = make_scheduler(timezone=zone)
    if worker:
        scheduler.add_job(
            runs.unless_stopping(DELIVERY_JOB, partial(deliver_due, context)),
            "interval",
            seconds=10,
            id=DELIVERY_JOB,
            name="delivery worker",
            next_run_time=clock.now(),
            **EVERY,
        )
    return scheduler, caught_up


def _add_scheduled(
    scheduler: BaseScheduler,
    context: ServiceContext,
    runs: JobRuns,
    definitions: FeedDefinitions,
) -> None:
    zone = ZoneInfo(context.settings.timezone)

    def once(job: str, name: str, trigger: CronTrigger, work: Any, **options: Any) -> None:
        scheduler.add_job(
            runs.once(job, trigger, work), trigger=trigger, id=job, name=name, **EVERY, **options
        )

    once(
        SWEEP_JOB,
        "review queue sweep",
        CronTrigger(second=0, timezone=zone),
        partial(sweep_review_queue, context),
    )
    once(
        PRUNE_JOB,
        "old login attempts, sessions and job runs",
        CronTrigger(minute=7, timezone=zone),
        partial(prune, context),
    )
    hour, minute = (int(part) for part in context.settings.digest_time.split(":"))
    for kind, when in (
        (DigestKind.DAILY, {}),
        (DigestKind.WEEKLY, {"day_of_week": "mon"}),
        (DigestKind.MONTHLY, {"day": "1"}),
    ):
        trigger = CronTrigger(hour=hour, minute=minute, timezone=zone, **when)
        once(
            f"digest:{kind}",
            f"{kind} digest",
            trigger,
            partial(run_digest, context, kind=kind),
            misfire_grace_time=6 * 3600,
        )
    if any(feed.enabled for feed in live_feeds(definitions.feeds)):
        once(
            CANARY_JOB,
            "live feeds canary",
            CronTrigger(
                day_of_week="mon-fri", hour=CANARY_TIME[0], minute=CANARY_TIME[1], timezone=zone
            ),
            partial(canary, context, definitions),
            misfire_grace_time=6 * 3600,
        )
    if definitions.cross_checks:
        once(
            CROSS_CHECK_JOB,
            "feeds cross-check",
            CronTrigger(
                day_of_week="mon-fri",
                hour=CROSS_CHECK_TIME[0],
                minute=CROSS_CHECK_TIME[1],
                timezone=zone,
            ),
            partial(cross_checks, context, definitions),
            misfire_grace_time=6 * 3600,
        )
    once(  # enterprise reporting: the aggregates when reports changed, the daily reminders
        "reporting:aggregate",
        "reported aggregates",
        CronTrigger(minute=f"*/{AGGREGATE_EVERY_MINUTES}", timezone=zone),
        partial(aggregate_if_changed, context),
    )
    once(
        "reporting:remind",
        "reporting reminders",
        CronTrigger(hour=REMIND_AT[0], minute=REMIND_AT[1], timezone=zone),
        partial(remind_today, context),
        misfire_grace_time=6 * 3600,
    )
    scheduler.add_job(
        runs.take_over,
        "interval",
        seconds=max(1.0, min(10.0, runs.lease_s / 3)),
        id=TAKE_OVER_JOB,
        name="runs released or left behind, taken over",
        **EVERY,
    )


def canary(context: ServiceContext, definitions: FeedDefinitions) -> None:
    """The live feeds' daily canary, its raw frames kept like the feeds'."""
    raw = RawFrames.from_settings(context.settings)
    run_canary(
        context.settings,
        definitions.feeds,
        keeper=raw.keeper(today=desk_today(context.settings), now=clock.now()),
    )


def cross_checks(context: ServiceContext, definitions: FeedDefinitions) -> None:
    """The daily cross-check of stored series against their second sources."""
    raw = RawFrames.from_settings(context.settings)
    run_cross_checks(
        context.settings,
        context.factory,
        definitions.cross_checks,
        keeper=raw.keeper(today=desk_today(context.settings), now=clock.now()),
    )


def prune(context: ServiceContext) -> None:
    """Forget old login attempts and web sessions, and job runs older than a month."""
    prune_accounts(context)
    with transaction(context.factory) as session:
        forgotten = job_runs.prune(session, before=clock.now() - KEEP_JOB_RUNS)
    if forgotten:
        log.info("pruned %d job runs", forgotten)
