"""``warning serve``: the web app (uvicorn), the scheduled jobs and the delivery worker, by
role, stopped gently.

Roles (:class:`ServeOptions`): ``web`` (the pages, the API, ``/healthz``, ``/readyz``,
``/metrics``), ``scheduler`` (the scheduled jobs of :mod:`warning.jobs.service_jobs`, each
once per scheduled time across every replica) and ``worker`` (the delivery worker). When one
``serve`` has the web app and jobs too, the jobs run in a child process of their own, so
that feed runs, derivation and evaluation never hold up the pages (the GIL, the event
loop); the parent forwards the stop to it and waits for it.

On SIGINT or SIGTERM no job starts from that moment (a job already queued returns without
claiming); the web app stops accepting requests; running work is given
``WARNING_SHUTDOWN_GRACE_S`` seconds. A job that finished in the grace is recorded as
finished. Then what is still running is given up: each feed run still fetching or storing
is recorded as a failed run ("interrupted"), and each job run still held is released at
once for another replica to take over (not only after its lease). When the grace has passed
the process exits whatever is still running (a request thread busy in the store cannot be
stopped otherwise).

X-Forwarded-For and X-Forwarded-Proto are believed only from ``WARNING_TRUSTED_PROXIES``.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from types import FrameType

import uvicorn
from apscheduler.schedulers.base import BaseScheduler

import rules
from feeds.definitions import FeedDefinitions
from warning import logs
from warning.context import ServiceContext, open_context
from warning.evaluation.runs import load_ruleset
from warning.feeding.feed_runs import load_feed_definitions
from warning.jobs.once import JobRuns
from warning.jobs.scheduler import RunningFeeds, record_interrupted
from warning.jobs.service_jobs import build_service_scheduler
from warning.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServeOptions:
    """What ``warning serve`` runs, and where the web app listens."""

    web: bool = True
    scheduler: bool = True
    worker: bool = True
    host: str = "127.0.0.1"
    port: int = 8000

    @property
    def jobs(self) -> bool:
        return self.scheduler or self.worker


class Shutdown:
    """Set by SIGINT or SIGTERM; remembers which signal asked and when the grace ends.

    From the first signal on, a timer ends the process when the grace has passed, whatever
    is still running (a request thread busy in the store, a feed run): it gives up the work
    left (``on_overrun``) and exits. Python cannot stop a thread, and uvicorn waits for the
    request threads it started, so nothing else would. ``on_signal`` callbacks run at the
    first signal (forwarding it to a child process)."""

    def __init__(self, grace_s: float = 30.0, on_overrun: Callable[[], None] = lambda: None):
        self.event = threading.Event()
        self.signal_name: str | None = None
        self.grace_s = grace_s
        self.deadline: float | None = None  # time.monotonic() when the grace ends
        self.on_overrun = on_overrun
        self.on_signal: list[Callable[[], None]] = []
        self.finishing = threading.Lock()  # the orderly stop and the timer: one finishes

    def handle(self, signum: int, _frame: FrameType | None) -> None:
        first = self.signal_name is None
        if first:
            self.signal_name = signal.Signals(signum).name
            self.deadline = time.monotonic() + self.grace_s
        self.event.set()  # no job starts from here on
        if first:
            log.info("%s received: stopping new work", self.signal_name)
            for callback in self.on_signal:
                callback()
            timer = threading.Timer(self.grace_s, self._overrun)
            timer.daemon = True
            timer.start()

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


@dataclass
class _Work:
    """What this process runs besides the web app, to wait for and give up at a stop."""

    running: RunningFeeds = field(default_factory=RunningFeeds)
    runs: JobRuns | None = None
    scheduler: BaseScheduler | None = None
    child: multiprocessing.process.BaseProcess | None = None

    def busy(self) -> bool:
        return bool(self.running.snapshot()) or bool(self.runs and self.runs.held())


def serve(
    context: ServiceContext,
    *,
    definitions: FeedDefinitions,
    ruleset: rules.RuleSet,
    options: ServeOptions,
    on_ready: Callable[[BaseScheduler | None, list[str]], None] = lambda _s, _c: None,
) -> None:
    """Run until SIGINT or SIGTERM, then shut down as the module docstring says."""
    shutdown = Shutdown(context.settings.shutdown_grace_s)
    work = _Work()
    shutdown.on_overrun = lambda: _give_up(context, work, shutdown)
    shutdown.install()
    caught_up: list[str] = []
    if options.web and options.jobs:
        work.child = _start_jobs_process(context.settings, options)
        shutdown.on_signal.append(lambda: _forward_stop(work.child))
    elif options.jobs:
        work.runs = JobRuns(
            context.factory, lease_s=context.settings.job_lease_s, stopping=shutdown.event
        )
        work.scheduler, caught_up = build_service_scheduler(
            context,
            definitions=definitions,
            ruleset=ruleset,
            running=work.running,
            runs=work.runs,
            scheduled=options.scheduler,
            worker=options.worker,
        )
        work.scheduler.start()
    on_ready(work.scheduler, caught_up)
    try:
        if options.web:
            _run_web(context, definitions, options, shutdown, work)
        else:
            shutdown.event.wait()
    finally:
        _stop(context, work, shutdown)


def _start_jobs_process(
    settings: Settings, options: ServeOptions
) -> multiprocessing.process.BaseProcess:
    """The scheduled jobs and the delivery worker in a process of their own (spawned: a
    fresh interpreter, no threads or connections inherited)."""
    jobs = replace(options, web=False)
    child = multiprocessing.get_context("spawn").Process(
        target=run_jobs_process, args=(settings, jobs), name="warning-jobs", daemon=False
    )
    child.start()
    log.info("jobs run in process %s", child.pid)
    return child


def run_jobs_process(settings: Settings, options: ServeOptions) -> None:
    """The child process of :func:`_start_jobs_process`: the same settings, its own store
    connections, the jobs of ``options`` until SIGINT or SIGTERM."""
    logs.configure(settings.log_format)
    _stop_when_orphaned(os.getppid())
    context = open_context(settings)
    definitions = load_feed_definitions(settings, context.catalog)
    ruleset = load_ruleset(settings.rules_path, context.catalog)
    serve(context, definitions=definitions, ruleset=ruleset, options=options)


def _stop_when_orphaned(parent: int) -> None:
    """Stop this jobs process as SIGTERM would when its parent ``serve`` is gone (killed
    without the chance to forward its stop): no jobs process outlives its web app."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        log.warning("the parent serve (pid %d) is gone: stopping", parent)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _forward_stop(child: multiprocessing.process.BaseProcess | None) -> None:
    if child is not None and child.pid is not None and child.is_alive():
        os.kill(child.pid, signal.SIGTERM)


def _run_web(
    context: ServiceContext,
    definitions: FeedDefinitions,
    options: ServeOptions,
    shutdown: Shutdown,
    work: _Work,
) -> None:
    """uvicorn in this thread; it catches the signals while it runs and hands them back to
    :class:`Shutdown` (installed first, so it is the handler uvicorn restores and re-raises to).
    The app is the pages and the API together (:func:`warning.web.app.create_web_app`),
    imported here so that CLI commands other than ``serve`` do not pay for loading it."""
    from warning.web.app import create_web_app
    from warning.web.routes.setup import announce_setup

    proxies = trusted_proxies(context.settings.trusted_proxies)
    app = create_web_app(context, definitions=definitions)
    announce_setup(context)  # a fresh store: where and with which code to make the first admin
    if work.child is not None:
        app.state.ready_checks.append(lambda: _jobs_process_gone(work.child))
    config = uvicorn.Config(
        app,
        host=options.host,
        port=options.port,
        log_level="info",
        log_config=None,  # the service's own logging (warning.logs)
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


def _jobs_process_gone(child: multiprocessing.process.BaseProcess | None) -> str | None:
    """Why ``/readyz`` says no when this serve's jobs process has ended."""
    if child is None or child.is_alive():
        return None
    return f"the jobs process (pid {child.pid}) has exited with {child.exitcode}"


def trusted_proxies(setting: str) -> list[str]:
    """The addresses (or networks) of WARNING_TRUSTED_PROXIES, as uvicorn takes them."""
    return [address.strip() for address in setting.split(",") if address.strip()]


def _stop(context: ServiceContext, work: _Work, shutdown: Shutdown) -> None:
    deadline = shutdown.deadline or time.monotonic() + shutdown.grace_s
    if work.child is not None:
        _forward_stop(work.child)
        work.child.join(max(0.0, deadline - time.monotonic()) + 5)
        if work.child.is_alive():  # it ends itself at its own grace; this is the backstop
            work.child.kill()
        return
    if work.scheduler is None:
        return
    work.scheduler.shutdown(wait=False)  # no new jobs; running ones go on
    while work.busy() and time.monotonic() < deadline:
        time.sleep(0.1)
    if not shutdown.finishing.acquire(timeout=5):
        return  # the grace ran out meanwhile: the timer gives up the work and exits
    if not work.busy():
        log.info("scheduler stopped; no job was interrupted")
        shutdown.finishing.release()  # should the exit still hang, the timer ends it
        return
    _give_up(context, work, shutdown)
    logging.shutdown()
    os._exit(0)  # the interrupted runs' threads would otherwise hold the process open


def _give_up(context: ServiceContext, work: _Work, shutdown: Shutdown) -> None:
    """Record each feed run still going as interrupted, saying why, and release every job
    run still held for another replica."""
    left = work.running.snapshot()
    if left:
        grace = shutdown.grace_s
        why = (
            f"the service shut down ({shutdown.signal_name or 'stop'}) after {grace:.0f} s of grace"
        )
        try:
            record_interrupted(context.factory, left, why=why)
        except Exception:
            log.exception("recording the interrupted feed runs failed")
    if work.runs is not None:
        try:
            work.runs.release()
        except Exception:
            log.exception("releasing the unfinished job runs failed")
