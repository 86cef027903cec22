"""``warning serve``: the web app (uvicorn) and the scheduler in one process, stopped gently.

The scheduler runs in background threads: each feed on its schedule, a sweep of the review
queue every minute (snoozes that ran out, deadlines that passed), the delivery worker every
ten seconds, and the daily digest (weekly on Mondays, monthly on the 1st) at
``WARNING_DIGEST_TIME``. The web app runs in
the main thread. On SIGINT or SIGTERM the service stops taking new work (uvicorn stops
accepting requests, the scheduler starts no new job), gives running work
``WARNING_SHUTDOWN_GRACE_S`` seconds to finish, records each feed run still going as a failed
run ("interrupted"), logs what it did, and exits. When the grace has passed it exits whatever
is still running (a request thread busy in the store cannot be stopped otherwise).

X-Forwarded-For and X-Forwarded-Proto are believed only from ``WARNING_TRUSTED_PROXIES``.
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
from warning import clock
from warning.clock import desk_today
from warning.context import ServiceContext
from warning.feeding.raw_frames import RawFrames
from warning.jobs.canary import CANARY_JOB, CANARY_TIME, live_feeds, run_canary
from warning.jobs.delivery import deliver_due
from warning.jobs.digest import run_digest
from warning.jobs.pipeline import after_feed_run, prune_accounts, sweep_review_queue
from warning.jobs.reporting_schedule import add_reporting_jobs
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
    """Set by SIGINT or SIGTERM; remembers which signal asked and when the grace ends.

    From the first signal on, a timer ends the process when the grace has passed, whatever
    is still running (a request thread busy in the store, a feed run): it records the feed
    runs still going as interrupted (``on_overrun``) and exits. Python cannot stop a thread,
    and uvicorn waits for the request threads it started, so nothing else would."""

    def __init__(self, grace_s: float = 30.0, on_overrun: Callable[[], None] = lambda: None):
        self.event = threading.Event()
        self.signal_name: str | None = None
        self.grace_s = grace_s
        self.deadline: float | None = None  # time.monotonic() when the grace ends
        self.on_overrun = on_overrun
        self.finishing = threading.Lock()  # the orderly stop and the timer: one finishes

    def handle(self, signum: int, _frame: FrameType | None) -> None:
        if self.signal_name is None:
            self.signal_name = signal.Signals(signum).name
            self.deadline = time.monotonic() + self.grace_s
            log.info("%s received: stopping new work", self.signal_name)
            timer = threading.Timer(self.grace_s, self._overrun)
            timer.daemon = True
            timer.start()
        self.event.set()

    def install(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self.handle)

    def _overrun(self) -> None:
        if not self.finishing.acquire(blocking=False):
            return  # the orderly stop is finishing; it exits by itself
        log.warning("still running %.0f s after %s: exiting now", self.grace_s, self.signal_name)
        try:
            self.on_overrun()
        finally:
            logging.shutdown()
            os._exit(0)


class _Server(uvicorn.Server):
    """uvicorn's server, telling :class:`Shutdown` of the signal it catches while it runs (it
    gives the signal back only after it has stopped, which a busy request thread delays)."""

    def __init__(self, config: uvicorn.Config, shutdown: Shutdown) -> None:
        super().__init__(config)
        self.stopping = shutdown

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.stopping.handle(sig, frame)
        super().handle_exit(sig, frame)


def serve(
    context: ServiceContext,
    *,
    definitions: FeedDefinitions,
    ruleset: rules.RuleSet,
    options: ServeOptions,
    on_ready: Callable[[BaseScheduler | None, list[str]], None] = lambda _s, _c: None,
) -> None:
    """Run until SIGINT or SIGTERM, then shut down as the module docstring says."""
    running = RunningFeeds()
    shutdown = Shutdown(context.settings.shutdown_grace_s)
    shutdown.on_overrun = lambda: _record_left(context, running, shutdown)
    shutdown.install()
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
        raw=RawFrames.from_settings(context.settings),
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
    if any(feed.enabled for feed in live_feeds(definitions.feeds)):
        raw = RawFrames.from_settings(context.settings)
        scheduler.add_job(
            lambda: run_canary(
                context.settings,
                definitions.feeds,
                keeper=raw.keeper(today=desk_today(context.settings), now=clock.now()),
            ),
            "cron",
            day_of_week="mon-fri",
            hour=CANARY_TIME[0],
            minute=CANARY_TIME[1],
            id=CANARY_JOB,
            name="live feeds canary",
            misfire_grace_time=6 * 3600,
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
    add_reporting_jobs(scheduler, context)
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

    proxies = trusted_proxies(context.settings.trusted_proxies)
    config = uvicorn.Config(
        create_web_app(context, definitions=definitions),
        host=options.host,
        port=options.port,
        log_level="info",
        access_log=False,
        timeout_graceful_shutdown=int(context.settings.shutdown_grace_s) or None,
        # X-Forwarded-For and -Proto count only from the proxies named in the settings: from
        # anyone else they would choose the address the login limit counts (none by default)
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
    )
    server = _Server(config, shutdown)
    server.run()
    if not shutdown.event.is_set():
        shutdown.event.set()  # the server stopped by itself (e.g. the port was taken)


def trusted_proxies(setting: str) -> list[str]:
    """The addresses (or networks) of WARNING_TRUSTED_PROXIES, as uvicorn takes them."""
    return [address.strip() for address in setting.split(",") if address.strip()]


def _stop(
    context: ServiceContext,
    scheduler: BaseScheduler | None,
    running: RunningFeeds,
    shutdown: Shutdown,
) -> None:
    if scheduler is None:
        return
    scheduler.shutdown(wait=False)  # no new jobs; running ones go on
    deadline = shutdown.deadline or time.monotonic() + shutdown.grace_s
    while running.snapshot() and time.monotonic() < deadline:
        time.sleep(0.1)
    if not shutdown.finishing.acquire(timeout=5):
        return  # the grace ran out meanwhile: the timer records and exits
    if not running.snapshot():
        log.info("scheduler stopped; no feed run was interrupted")
        shutdown.finishing.release()  # should the exit still hang, the timer ends it
        return
    _record_left(context, running, shutdown)
    logging.shutdown()
    os._exit(0)  # the interrupted runs' threads would otherwise hold the process open


def _record_left(context: ServiceContext, running: RunningFeeds, shutdown: Shutdown) -> None:
    """Record each feed run still going as interrupted, saying why."""
    left = running.snapshot()
    if left:
        grace = shutdown.grace_s
        why = (
            f"the service shut down ({shutdown.signal_name or 'stop'}) after {grace:.0f} s of grace"
        )
        record_interrupted(context.factory, left, why=why)
