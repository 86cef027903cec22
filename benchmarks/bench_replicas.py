"""Replicas (issue 22): each scheduled job once across three processes over a simulated day.

Three spawned processes, each with its own engine and :class:`warning.jobs.once.JobRuns`, go
through every fire time of one desk day of the service's schedule (each bundled feed on its
trigger, the review sweep every minute, the hourly pruning, the three digests), each in an
order of its own, and claim and "run" each one (the work is empty: the figure is about the
claims). ``replica_jobs_once`` = runs made / fire times scheduled (goal exactly 1.0);
``replica_jobs_claims_per_s`` = claims tried per second over the three.

The store: ``WARNING_BENCH_DATABASE_URL`` (a PostgreSQL URL; its schema is dropped), else
``WARNING_TEST_DATABASE_URL``, else a SQLite file (one writer at a time: slower, same figure).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import create_engine, text

import warning.context  # noqa: F401  (every domain's tables join the metadata)
from warning.catalog import load_catalog
from warning.feeding.feed_runs import load_feed_definitions
from warning.jobs.once import JobRuns
from warning.jobs.schedule import job_specs
from warning.settings import load_settings
from warning.store import make_engine, migrate, session_factory

ZONE = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 12, 7, tzinfo=ZONE)  # a Monday: daily, weekly-digest and feed jobs fire
PROCESSES = 3


def schedule() -> list[tuple[str, datetime]]:
    """Every (job, fire time) of the simulated day."""
    settings = load_settings()
    triggers = {
        spec.job_id: spec.trigger()
        for spec in job_specs(
            load_feed_definitions(settings, load_catalog()).feeds, timezone="Asia/Shanghai"
        )
    }
    triggers["review:sweep"] = CronTrigger(second=0, timezone=ZONE)
    triggers["accounts:prune"] = CronTrigger(minute=7, timezone=ZONE)
    for kind, when in (("daily", {}), ("weekly", {"day_of_week": "mon"}), ("monthly", {})):
        triggers[f"digest:{kind}"] = CronTrigger(hour=8, minute=30, timezone=ZONE, **when)
    fires = []
    end = DAY + timedelta(days=1)
    for job, trigger in triggers.items():
        fire = trigger.get_next_fire_time(None, DAY)
        while fire is not None and fire < end:
            fires.append((job, fire))
            fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return fires


def replica(url: str, fires: list[tuple[str, datetime]], seed: int, done: object) -> None:
    engine = make_engine(url)
    runs = JobRuns(session_factory(engine), lease_s=60)
    order = list(fires)
    random.Random(seed).shuffle(order)
    ran = sum(runs.run(job, at, lambda: None) for job, at in order)
    done.put(ran)  # type: ignore[attr-defined]
    engine.dispose()


def store_url(folder: Path) -> str:
    url = os.environ.get("WARNING_BENCH_DATABASE_URL") or os.environ.get(
        "WARNING_TEST_DATABASE_URL"
    )
    if not url:
        return f"sqlite:///{folder / 'replicas.db'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def measure(url: str, fires: list[tuple[str, datetime]]) -> dict[str, float]:
    migrate(url)
    spawn = multiprocessing.get_context("spawn")
    done = spawn.Queue()
    workers = [
        spawn.Process(target=replica, args=(url, fires, seed, done)) for seed in range(PROCESSES)
    ]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    ran = sum(done.get(timeout=1800) for _ in workers)
    for worker in workers:
        worker.join()
    took = time.perf_counter() - started
    return {
        "replica_jobs_once": ran / len(fires),
        "replica_jobs_scheduled": float(len(fires)),
        "replica_jobs_claims_per_s": PROCESSES * len(fires) / took,
    }


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        return measure(store_url(Path(folder)), schedule())
