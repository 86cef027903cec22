"""``warning serve`` schedules enterprise reporting and the live feeds' canary, each once per
scheduled time across replicas: the aggregates every ten minutes, the reminders daily at
09:00 and the canary on weekdays at 08:00, in the desk's time zone; the canary only when the
feed set has live feeds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from feeds.definitions import BUNDLED, BUNDLED_LIVE, load_definitions
from warning.jobs.service_jobs import _add_scheduled
from warning.settings import load_settings


class OnceEach:
    """Stands for :class:`warning.jobs.once.JobRuns`: records which jobs go through it."""

    lease_s = 60.0

    def __init__(self) -> None:
        self.jobs: list[str] = []

    def once(self, job: str, _trigger: object, work: Callable[[], Any]) -> Callable[[], Any]:
        self.jobs.append(job)
        return work

    def take_over(self) -> None:
        """Nothing to take over here."""


@pytest.mark.parametrize(
    ("feeds", "files_only", "canary"),
    [(BUNDLED, True, False), (BUNDLED, False, True), (BUNDLED_LIVE, False, True)],
)
def test_reporting_and_the_canary_are_scheduled_once_each(
    feeds: Any, files_only: bool, canary: bool
) -> None:
    """The canary calls what is fetched from somewhere: not a set of local files alone."""
    settings = load_settings(timezone="Asia/Shanghai")
    scheduler = BackgroundScheduler(timezone="UTC")
    runs = OnceEach()
    definitions = load_definitions(feeds, data_root=settings.feeds_data_root)
    if files_only:
        local = tuple(feed for feed in definitions.feeds if feed.source == "file")
        definitions = replace(definitions, feeds=local)
    _add_scheduled(scheduler, SimpleNamespace(settings=settings), runs, definitions)  # type: ignore[arg-type]

    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert {"reporting:aggregate", "reporting:remind"} <= set(runs.jobs)
    assert ("feeds:canary" in runs.jobs) is canary
    aggregate, remind = jobs["reporting:aggregate"].trigger, jobs["reporting:remind"].trigger
    assert "minute='*/10'" in str(aggregate)
    assert "hour='9', minute='0'" in str(remind)
    assert str(remind.timezone) == "Asia/Shanghai"  # the desk's, not the scheduler's
    if canary:
        trigger = jobs["feeds:canary"].trigger
        assert "day_of_week='mon-fri', hour='8', minute='0'" in str(trigger)
        assert str(trigger.timezone) == "Asia/Shanghai"
    # the cross-check where the set has second sources (the live set), after the canary
    assert ("feeds:cross-check" in runs.jobs) is bool(definitions.cross_checks)
    assert bool(definitions.cross_checks) is (feeds == BUNDLED_LIVE)
    if definitions.cross_checks:
        trigger = jobs["feeds:cross-check"].trigger
        assert "day_of_week='mon-fri', hour='8', minute='30'" in str(trigger)
        assert str(trigger.timezone) == "Asia/Shanghai"
