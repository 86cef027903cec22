"""Each scheduled job once across every replica, and no new job once the process stops.

A process that schedules jobs has one :class:`JobRuns`. Each scheduled job's function is
wrapped by :meth:`JobRuns.once`: when the scheduler fires it, the wrapper works out the
scheduled time the run stands for (the trigger's last fire time, the same in every replica
whatever its host's time zone, and the missed fire time when a job is caught up at start),
claims ``(job, scheduled time)`` in the store (:mod:`warning.store.job_runs`) and runs the
job only if the claim is its own. A heartbeat renews the leases of the runs held. A run
whose process died (lease out) or stopped before finishing (released) is taken over by
:meth:`JobRuns.take_over`, which every scheduling process runs every few seconds.

From the moment :attr:`JobRuns.stopping` is set (SIGTERM, SIGINT), no job starts here: a
job already queued in the scheduler's pool returns without claiming. :meth:`JobRuns.release`
gives back what is held unfinished at the end of the grace.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final, Protocol

from sqlalchemy.orm import Session, sessionmaker

from warning import clock, logs
from warning.store import job_runs, transaction

log = logging.getLogger(__name__)

# runs scheduled longer ago are left alone (a catch-up of a monthly job stands for a fire
# time up to a month back; the pruning forgets runs after 30 days)
TAKE_OVER_WITHIN: Final = timedelta(days=30)
LOOK_BACK: Final = (  # how far back the last fire time is looked for, shortest first
    timedelta(minutes=2),
    timedelta(hours=2),
    timedelta(days=2),
    timedelta(days=40),
    timedelta(days=400),
)


class Trigger(Protocol):
    """What of an APScheduler trigger is used here."""

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None: ...


def last_fire_time(trigger: Trigger, now: datetime) -> datetime:
    """The trigger's last fire time at or before ``now`` (``now`` itself when it never fired
    in the last 400 days)."""
    for back in LOOK_BACK:
        fire = trigger.get_next_fire_time(None, now - back)
        if fire is None or fire > now:
            continue
        while True:
            following = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
            if following is None or following > now:
                return fire
            fire = following
    return now


def claimant_name() -> str:
    """A name for this process's claims: host, pid and a random part (a pid is reused)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Held:
    """A run this process claimed and has not finished."""

    run_id: int
    job: str
    scheduled_for: datetime


@dataclass
class JobRuns:
    """This process's claims on scheduled jobs (module docstring)."""

    factory: sessionmaker[Session]
    lease_s: float = 60.0
    worker: str = field(default_factory=claimant_name)
    stopping: threading.Event = field(default_factory=threading.Event)
    jobs: dict[str, Callable[[], object]] = field(default_factory=dict)
    _held: dict[int, Held] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _heartbeat: threading.Thread | None = None

    def once(self, job: str, trigger: Trigger, work: Callable[[], object]) -> Callable[[], None]:
        """The scheduler's function for ``job``: run ``work`` once per scheduled time."""
        self.jobs[job] = work

        def run() -> None:
            self.run(job, last_fire_time(trigger, clock.now()), work)

        return run

    def unless_stopping(self, job: str, work: Callable[..., object]) -> Callable[..., None]:
        """The scheduler's function for a job every replica runs (the delivery worker): it
        starts only while the process is not stopping."""

        def run(*args: Any, **kwargs: Any) -> None:
            if self.stopping.is_set():
                log.info("%s: not started, the service is stopping", job)
                return
            work(*args, **kwargs)

        return run

    def run(self, job: str, scheduled_for: datetime, work: Callable[[], object]) -> bool:
        """Claim ``job`` at ``scheduled_for`` and run it; False when it was not run here
        (stopping, or another process has it or had it)."""
        if self.stopping.is_set():
            log.info("job %s: not started, the service is stopping", job)
            return False
        try:
            with transaction(self.factory) as session:
                run_id = job_runs.claim(
                    session,
                    job=job,
                    scheduled_for=scheduled_for,
                    worker=self.worker,
                    now=clock.now(),
                    lease_s=self.lease_s,
                )
        except Exception:  # the store is down: this firing is lost, say so once
            log.exception("job %s at %s: could not be claimed", job, scheduled_for.isoformat())
            return False
        if run_id is None:
            log.debug("job %s at %s: run by another process", job, scheduled_for.isoformat())
            return False
        if any(one.run_id == run_id for one in self.held()):  # its lease lapsed while it ran
            log.warning("job %s at %s: still running here", job, scheduled_for.isoformat())
            return False
        with self._holding(Held(run_id, job, scheduled_for)):
            error = None
            try:
                with logs.job(f"{job}@{scheduled_for.isoformat()}"):
                    work()
            except Exception as failure:
                log.exception("job %s: failed", job)
                error = f"{type(failure).__name__}: {failure}"
            self._finish(run_id, job, error)
        return True

    @contextmanager
    def _holding(self, held: Held) -> Any:
        with self._lock:
            self._held[held.run_id] = held
            self._start_heartbeat()
        try:
            yield
        finally:
            with self._lock:
                self._held.pop(held.run_id, None)

    def _finish(self, run_id: int, job: str, error: str | None) -> None:
        try:
            with transaction(self.factory) as session:
                kept = job_runs.finish(
                    session, run_id=run_id, worker=self.worker, now=clock.now(), error=error
                )
        except Exception:
            log.exception("job %s: its end could not be recorded", job)
            return
        if not kept:
            status = "failed" if error else "finished"
            log.warning("job %s: %s after its claim was released or taken over", job, status)

    def held(self) -> list[Held]:
        """The runs this process holds now."""
        with self._lock:
            return list(self._held.values())

    def release(self) -> int:
        """Give back every run held unfinished (at the end of a stop's grace)."""
        held = self.held()
        if not held:
            return 0
        with transaction(self.factory) as session:
            released = job_runs.release(
                session, run_ids=[one.run_id for one in held], worker=self.worker
            )
        for one in held:
            log.warning("job %s: released unfinished for another process", one.job)
        return released

    def take_over(self) -> int:
        """Run the jobs this process knows whose runs were released or whose holder died;
        how many it ran."""
        if self.stopping.is_set():
            return 0
        now = clock.now()
        with transaction(self.factory) as session:
            found = job_runs.abandoned(session, now=now, since=now - TAKE_OVER_WITHIN)
        mine = {(one.job, one.scheduled_for) for one in self.held()}  # lapsed here: still ours
        ran = 0
        for run in found:
            work = self.jobs.get(run.job)
            if work is None or (run.job, run.scheduled_for) in mine or self.stopping.is_set():
                continue
            if self.run(run.job, run.scheduled_for, work):
                log.info("job %s at %s: taken over", run.job, run.scheduled_for.isoformat())
                ran += 1
        return ran

    def _start_heartbeat(self) -> None:
        if self._heartbeat is None or not self._heartbeat.is_alive():
            self._heartbeat = threading.Thread(
                target=self._beat, name="job-run-heartbeat", daemon=True
            )
            self._heartbeat.start()

    def _beat(self) -> None:
        while True:
            time.sleep(self.lease_s / 3)
            held = [one.run_id for one in self.held()]
            if not held:
                continue
            try:
                with transaction(self.factory) as session:
                    job_runs.renew(
                        session,
                        run_ids=held,
                        worker=self.worker,
                        now=clock.now(),
                        lease_s=self.lease_s,
                    )
            except Exception:  # the store is away for a moment: try at the next beat
                log.exception("renewing the leases of %d job runs failed", len(held))
