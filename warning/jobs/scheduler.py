"""The feed scheduler: one APScheduler 3.11 job per enabled feed, in the desk's time zone.

Jobs come from :func:`warning.jobs.schedule.job_specs`: a stable id (``feed:<feed id>``), a
cron trigger in ``WARNING_TIMEZONE`` (Asia/Shanghai by default) whatever the host's time zone,
``coalesce``, ``max_instances=1`` and a misfire grace of hours. At start-up each job whose
last run (``feed_state.last_run_at``) is older than its previous fire time
(:func:`warning.jobs.schedule.catch_up_due`) is given a first run
time of *now*: it runs once, then follows its trigger. A run records its start as the feed's
last run, so a restart right after does not catch up again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from functools import partial
from typing import Final
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.orm import Session, sessionmaker

from feeds.definitions import FeedDefinition
from feeds.urls import shown_url
from warning import clock
from warning.feeding.feed_runs import FeedOutcome, FeedRunStatus, feed_states
from warning.feeding.ingest import record_failed_run
from warning.feeding.models import FeedRunKind
from warning.feeding.raw_frames import RawFrames
from warning.jobs.feeds import run_feeds
from warning.jobs.once import JobRuns
from warning.jobs.schedule import catch_up_due, job_specs
from warning.store import aware, read_only, transaction

log = logging.getLogger(__name__)
FEED_EXECUTOR: Final = "feeds"
FEED_WORKERS: Final = 3  # feed runs at once (see make_scheduler)

FeedRunner = Callable[[str], object]


def make_scheduler(*, timezone: str, blocking: bool = False) -> BaseScheduler:
    """A scheduler whose own time zone is the service's, not the host's. Feed runs have an
    executor of their own with :data:`FEED_WORKERS` threads: every feed fires at 17:00 (and
    all of them catch up at once after downtime), and each run then writes, derives and
    evaluates; a few at a time fetch in parallel while the writes queue here rather than in
    the database's lock wait, where SQLite gives up after its busy timeout. The other jobs
    (delivery, sweep, digests) keep the default pool, so feeds never hold them up."""
    kind = BlockingScheduler if blocking else BackgroundScheduler
    executors = {"default": ThreadPoolExecutor(10), FEED_EXECUTOR: ThreadPoolExecutor(FEED_WORKERS)}
    return kind(timezone=ZoneInfo(timezone), executors=executors)


def last_runs(session: Session) -> dict[str, datetime | None]:
    """Each feed's last run start, as an aware datetime."""
    return {feed_id: aware(state.last_run_at) for feed_id, state in feed_states(session).items()}


def add_feed_jobs(
    scheduler: BaseScheduler,
    *,
    definitions: Iterable[FeedDefinition],
    run: FeedRunner,
    last_run: Mapping[str, datetime | None],
    now: datetime,
    timezone: str,
    runs: JobRuns | None = None,
) -> list[str]:
    """Add one job per enabled feed; return the ids of the jobs caught up (run once now).

    With ``runs``, each job runs once per scheduled time across every process sharing the
    store (:mod:`warning.jobs.once`); a catch-up stands for the last fire time missed."""
    caught_up = []
    for spec in job_specs(definitions, timezone=timezone):
        options = spec.add_job_kwargs()
        if catch_up_due(spec, last_run.get(spec.feed_id), now):
            options["next_run_time"] = now
            caught_up.append(spec.job_id)
        if runs is None:
            scheduler.add_job(run, args=[spec.feed_id], executor=FEED_EXECUTOR, **options)
        else:
            once = runs.once(spec.job_id, options["trigger"], partial(run, spec.feed_id))
            scheduler.add_job(once, executor=FEED_EXECUTOR, **options)
    return caught_up


class RunningFeeds:
    """The feed runs in progress, for a graceful shutdown: what to wait for, what to record
    as interrupted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[str, tuple[datetime, str]] = {}

    def started(self, feed_id: str, location: str) -> None:
        with self._lock:
            self._running[feed_id] = (clock.now(), location)

    def finished(self, feed_id: str) -> None:
        with self._lock:
            self._running.pop(feed_id, None)

    def snapshot(self) -> dict[str, tuple[datetime, str]]:
        """Feed id to (start, location) of each run still going."""
        with self._lock:
            return dict(self._running)


def feed_runner(
    factory: sessionmaker[Session],
    definitions: Iterable[FeedDefinition],
    *,
    today: Callable[[], date],
    on_outcome: Callable[[FeedOutcome], None] | None = None,
    secrets: Mapping[str, str] | None = None,
    running: RunningFeeds | None = None,
    raw: RawFrames | None = None,
) -> FeedRunner:
    """The job function: run one feed by id (periods after ``today()``, the desk's date at
    the time of the run, are refused); never raises, so the scheduler goes on."""
    by_id = {definition.id: definition for definition in definitions}
    registry = running or RunningFeeds()

    def recorded(outcome: FeedOutcome) -> None:
        registry.finished(outcome.feed_id)  # its run is recorded: no longer "interrupted"
        if on_outcome is not None:
            on_outcome(outcome)

    def run(feed_id: str) -> None:
        registry.started(feed_id, shown_url(by_id[feed_id].location))  # stored, shown
        try:
            (outcome,) = run_feeds(
                factory,
                definitions=[by_id[feed_id]],
                today=today(),
                on_outcome=recorded,
                secrets=secrets,
                raw=raw,
            )
        finally:
            registry.finished(feed_id)
        level = logging.WARNING if outcome.status == FeedRunStatus.FAILED else logging.INFO
        log.log(level, "feed %s: %s %s", feed_id, outcome.status, outcome.error or "")

    return run


def record_interrupted(
    factory: sessionmaker[Session], running: Mapping[str, tuple[datetime, str]], *, why: str
) -> None:
    """Record each feed run still going at shutdown as a failed run saying why."""
    with transaction(factory) as session:
        for feed_id, (started, location) in running.items():
            record_failed_run(
                session,
                feed=feed_id,
                kind=FeedRunKind.FEED,
                source=location,
                started=started,
                error=f"interrupted: {why}",
            )
            log.warning("feed %s: interrupted (%s); recorded as failed", feed_id, why)


def build_feed_scheduler(
    factory: sessionmaker[Session],
    *,
    definitions: Iterable[FeedDefinition],
    timezone: str,
    blocking: bool = False,
    now: datetime | None = None,
    on_outcome: Callable[[FeedOutcome], None] | None = None,
    secrets: Mapping[str, str] | None = None,
    running: RunningFeeds | None = None,
    raw: RawFrames | None = None,
    runs: JobRuns | None = None,
) -> tuple[BaseScheduler, list[str]]:
    """The scheduler with every enabled feed's job and the catch-ups due, not yet started.

    ``scheduler.start()`` then runs it; a blocking one returns only once shut down (Ctrl-C).
    """
    feeds = list(definitions)
    scheduler = make_scheduler(blocking=blocking, timezone=timezone)
    zone = ZoneInfo(timezone)
    with read_only(factory) as session:
        previous = last_runs(session)
    caught_up = add_feed_jobs(
        scheduler,
        definitions=feeds,
        run=feed_runner(
            factory,
            feeds,
            today=lambda: clock.now().astimezone(zone).date(),
            on_outcome=on_outcome,
            secrets=secrets,
            running=running,
            raw=raw,
        ),
        last_run=previous,
        now=now or clock.now().astimezone(zone),
        timezone=timezone,
        runs=runs,
    )
    log.info("scheduler: catching up %s", ", ".join(caught_up) or "nothing")
    return scheduler, caught_up
