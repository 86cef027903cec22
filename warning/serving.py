"""``warning serve``: the web app (uvicorn) and the scheduler in one process, stopped gently.

The scheduler runs in background threads: each feed on its schedule, a sweep of the review
queue every minute (snoozes that ran out, deadlines that passed), the delivery worker every
ten seconds, and the daily digest (weekly on Mondays, monthly on the 1st) at
``WARNING_DIGEST_TIME``. The web app runs in
the main thread. On SIGINT or SIGTERM the service stops taking new work (uvicorn stops
accepting requests, the scheduler starts no new job), gives running work
``WARNING_SHUTDOWN_GRACE_S`` seconds to finish, records each feed run still going as a failed
run ("interrupted"), logs what it did, and exits.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Final

import uvicorn
from apscheduler.schedulers.base import BaseScheduler

import rules
from alerts.digest import DigestKind
from feeds.definitions import FeedDefinitions
from warning.context import ServiceContext
from warning.jobs.delivery import deliver_due
from warning.jobs.digest import run_digest
from warning.jobs.pipeline import after_feed_run, prune_accounts, sweep_review_queue
from warning.jobs.scheduler import RunningFeeds, build_feed_scheduler, record_interrupted

log = logging.getLogger(__name__)

SWEEP_JOB: Final = "review:sweep"
DELIVERY_JOB: Final = "delivery:worker"
PRUNE_JOB: Final = "accounts:prune"


@dataclass(frozen=True)
class ServeOptions:
    """What ``warning serve`` runs, and where the web app listens."""

    web: bool = True
    scheduler: bool = True
    host: str = "127.0.0.1"
    port: int = 8000


class Shutdown:
    """Set by SIGINT or SIGTERM; remembers which signal asked."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.signal_name: str | None = None

    def handle(self, signum: int, _frame: FrameType | None) -> None:
        if self.signal_name is None:
            self.signal_name = signal.Signals(signum).name
            log.info("%s received: stopping new work", self.signal_name)
        self.event.set()

    def install(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self.handle)


def serve(
    context: ServiceContext,
    *,
    definitions: FeedDefinitions,
    ruleset: rules.RuleSet,
    options: ServeOptions,
    on_ready: Callable[[BaseScheduler | None, list[str]], None] = lambda _s, _c: None,
) -> None:
    """Run until SIGINT or SIGTERM, then shut down as the module docstring says."""
    shutdown = Shutdown()
    shutdown.install()
    running = RunningFeeds()
    scheduler, caught_up = (
        _start_scheduler(context, definitions, ruleset, running)
        if options.scheduler
        else (None, [])
    )
    on_ready(scheduler, caught_up)
    try:
        if options.web:
            _run_web(context, definitions, options, shutdown)
        else:
            shutdown.event.wait()
    finally:
        _stop(context, scheduler, running, shutdown)


def _start_scheduler(
    context: ServiceContext,
    definitions: FeedDefinitions,
    ruleset: rules.RuleSet,
    running: RunningFeeds,
) -> tuple[BaseScheduler, list[str]]:
    scheduler, caught_up = build_feed_scheduler(
        context.factory,
        definitions=definitions.feeds,
        secrets=context.settings.feed_secrets,
        timezone=context.settings.timezone,
        on_outcome=lambda outcome: after_feed_run(context, ruleset, outcome),
        running=running,
    )
    every = {"coalesce": True, "max_instances": 1, "replace_existing": True}
    scheduler.add_job(
        sweep_review_queue,
        "interval",
        minutes=1,
        args=[context],
        id=SWEEP_JOB,
        name="review queue sweep",
        **every,
    )
    scheduler.add_job(
        deliver_due,
        "interval",
        seconds=10,
        args=[context],
        id=DELIVERY_JOB,
        name="delivery worker",
        **every,
    )
    scheduler.add_job(
        prune_accounts,
        "interval",
        hours=1,
        args=[context],
        id=PRUNE_JOB,
        name="old login attempts and sessions",
        **every,
    )
    hour, minute = (int(part) for part in context.settings.digest_time.split(":"))
    for kind, when in (
        (DigestKind.DAILY, {}),
        (DigestKind.WEEKLY, {"day_of_week": "mon"}),
        (DigestKind.MONTHLY, {"day": "1"}),
    ):
        scheduler.add_job(
            run_digest,
            "cron",
            hour=hour,
            minute=minute,
            **when,
            args=[context],
            kwargs={"kind": kind},
            id=f"digest:{kind}",
            name=f"{kind} digest",
            misfire_grace_time=6 * 3600,
            **every,
        )
    scheduler.start()
    return scheduler, caught_up


def _run_web(
    context: ServiceContext,
    definitions: FeedDefinitions,
    options: ServeOptions,
    shutdown: Shutdown,
) -> None:
    """uvicorn in this thread; it catches the signals while it runs and hands them back to
    :class:`Shutdown` (installed first, so it is the handler uvicorn restores and re-raises to).
    The app is the pages and the API together (:func:`warning.web.app.create_web_app`),
    imported here so that CLI commands other than ``serve`` do not pay for loading it."""
    from warning.web.app import create_web_app

    config = uvicorn.Config(
        create_web_app(context, definitions=definitions),
        host=options.host,
        port=options.port,
        log_level="info",
        access_log=False,
        timeout_graceful_shutdown=int(context.settings.shutdown_grace_s) or None,
    )
    server = uvicorn.Server(config)
    server.run()
    if not shutdown.event.is_set():
        shutdown.event.set()  # the server stopped by itself (e.g. the port was taken)


def _stop(
    context: ServiceContext,
    scheduler: BaseScheduler | None,
    running: RunningFeeds,
    shutdown: Shutdown,
) -> None:
    if scheduler is None:
        return
    scheduler.shutdown(wait=False)  # no new jobs; running ones go on
    grace = context.settings.shutdown_grace_s
    deadline = time.monotonic() + grace
    while running.snapshot() and time.monotonic() < deadline:
        time.sleep(0.1)
    left = running.snapshot()
    if not left:
        log.info("scheduler stopped; no feed run was interrupted")
        return
    why = f"the service shut down ({shutdown.signal_name or 'stop'}) after {grace:.0f} s of grace"
    record_interrupted(context.factory, left, why=why)
    logging.shutdown()
    os._exit(0)  # the interrupted runs' threads would otherwise hold the process open
