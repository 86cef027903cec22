"""The feed scheduler: Asia/Shanghai jobs on a UTC host, catch-up once, one instance at a time."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.events import EVENT_JOB_MAX_INSTANCES, JobEvent
from apscheduler.schedulers.background import BackgroundScheduler
from feed_helpers import definitions, price_feed, write_prices
from sqlalchemy.orm import Session, sessionmaker

from warning.clock import FrozenClock, use_clock
from warning.feeding.models import FeedState
from warning.jobs.scheduler import (
    FEED_WORKERS,
    add_feed_jobs,
    build_feed_scheduler,
    last_runs,
    make_scheduler,
)
from warning.store import transaction

SHANGHAI = ZoneInfo("Asia/Shanghai")
FEEDS = definitions(
    price_feed("daily", "d.csv"),
    price_feed("weekly", "w.csv", schedule={"frequency": "W"}),
    price_feed("monthly", "m.csv", schedule={"frequency": "M", "day": 6, "hour": 10}),
    price_feed("fresh", "f.csv"),
    price_feed("off", "o.csv", enabled=False),
).feeds
# Monday 9 March 2026, 09:00 in Shanghai (01:00 UTC)
NOW = datetime(2026, 3, 9, 9, 0, tzinfo=SHANGHAI)


# The host's own zone must not matter: UTC (as on most servers), one whose clocks moved the
# day before NOW (Los Angeles, 8 March 2026) and one a quarter-hour off the hour (Kathmandu).
HOST_ZONES = {"UTC": 0, "America/Los_Angeles": -7 * 3600, "Asia/Kathmandu": 5 * 3600 + 45 * 60}


@pytest.fixture(params=sorted(HOST_ZONES))
def host_zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """The host clock in each of :data:`HOST_ZONES`, whatever the machine's zone; yields the
    host's offset from UTC at NOW, in seconds."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield HOST_ZONES[request.param]
    monkeypatch.undo()
    time.tzset()


def test_jobs_fire_in_shanghai_time_whatever_the_host_zone(host_zone: int) -> None:
    assert time.localtime(NOW.timestamp()).tm_gmtoff == host_zone  # the host zone took effect
    scheduler = make_scheduler(timezone="Asia/Shanghai")
    add_feed_jobs(
        scheduler, definitions=FEEDS, run=print, last_run={}, now=NOW, timezone="Asia/Shanghai"
    )
    scheduler.start(paused=True)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert sorted(jobs) == ["feed:daily", "feed:fresh", "feed:monthly", "feed:weekly"]
        for job in jobs.values():
            assert job.coalesce is True and job.max_instances == 1
            assert job.misfire_grace_time >= 3600
            assert str(job.trigger.timezone) == "Asia/Shanghai"
        daily = jobs["feed:daily"].trigger
        # 16:00 in Shanghai on Monday: next run 17:00 Shanghai the same day = 09:00 UTC
        after = datetime(2026, 3, 9, 8, 0, tzinfo=ZoneInfo("UTC"))
        fire = daily.get_next_fire_time(None, after)
        assert fire == datetime(2026, 3, 9, 17, 0, tzinfo=SHANGHAI)
        assert fire.utcoffset() == timedelta(hours=8)
        friday_evening = datetime(2026, 3, 13, 10, 0, tzinfo=ZoneInfo("UTC"))  # 18:00 Shanghai
        assert daily.get_next_fire_time(None, friday_evening) == datetime(
            2026, 3, 16, 17, 0, tzinfo=SHANGHAI
        )
        monthly = jobs["feed:monthly"].trigger.get_next_fire_time(None, NOW)
        assert monthly == datetime(2026, 4, 6, 10, 0, tzinfo=SHANGHAI)
    finally:
        scheduler.shutdown(wait=False)


def test_jobs_fire_in_the_configured_time_zone_not_shanghai(host_zone: int) -> None:
    london = ZoneInfo("Europe/London")
    scheduler = make_scheduler(timezone="Europe/London")
    add_feed_jobs(
        scheduler,
        definitions=FEEDS,
        run=print,
        last_run={},
        now=NOW.astimezone(london),
        timezone="Europe/London",
    )
    scheduler.start(paused=True)
    try:
        daily = scheduler.get_job("feed:daily").trigger
        assert str(daily.timezone) == "Europe/London"
        monday_noon = datetime(2026, 3, 9, 12, 0, tzinfo=london)
        assert daily.get_next_fire_time(None, monday_noon) == datetime(
            2026, 3, 9, 17, 0, tzinfo=london
        )
    finally:
        scheduler.shutdown(wait=False)


def test_catch_up_is_judged_against_the_service_clock(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    feeds = definitions(price_feed("cu", str(tmp_path / "cu.csv"))).feeds
    with transaction(factory) as session:
        session.add(
            FeedState(feed_id="cu", last_run_at=datetime(2026, 3, 9, 17, 5, tzinfo=SHANGHAI))
        )
    tuesday_morning = FrozenClock(datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI))
    with use_clock(tuesday_morning):  # Monday 17:00's run happened: nothing to catch up
        _scheduler, caught = build_feed_scheduler(
            factory, definitions=feeds, timezone="Asia/Shanghai"
        )
    assert caught == []
    tuesday_morning.advance(hours=9)  # 18:00: Tuesday 17:00 was missed
    with use_clock(tuesday_morning):
        _scheduler, caught = build_feed_scheduler(
            factory, definitions=feeds, timezone="Asia/Shanghai"
        )
    assert caught == ["feed:cu"]


def test_catch_up_after_downtime_picks_each_missed_job_once() -> None:
    last = {
        "daily": datetime(2026, 3, 5, 18, 0, tzinfo=SHANGHAI),  # missed Friday 17:00
        "weekly": datetime(2026, 3, 7, 10, 30, tzinfo=SHANGHAI),  # Saturday's run happened
        "monthly": datetime(2026, 1, 6, 10, 30, tzinfo=SHANGHAI),  # missed Feb 6 and Mar 6
        "fresh": datetime(2026, 3, 6, 17, 5, tzinfo=SHANGHAI),  # ran Friday; next is tonight
    }
    scheduler = BackgroundScheduler(timezone=SHANGHAI)
    caught = add_feed_jobs(
        scheduler, definitions=FEEDS, run=print, last_run=last, now=NOW, timezone="Asia/Shanghai"
    )
    assert caught == ["feed:daily", "feed:monthly"]
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert jobs["feed:daily"].next_run_time == NOW
    assert jobs["feed:monthly"].next_run_time == NOW
    never = add_feed_jobs(
        BackgroundScheduler(timezone=SHANGHAI),
        definitions=FEEDS,
        run=print,
        last_run={},
        now=NOW,
        timezone="Asia/Shanghai",
    )
    assert never == ["feed:daily", "feed:weekly", "feed:monthly", "feed:fresh"]


def test_started_scheduler_runs_missed_jobs_exactly_once_and_not_again(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    rows = [("2026-03-02", 100), ("2026-03-03", 101)]
    feeds = definitions(
        price_feed("cu", str(write_prices(tmp_path / "cu.csv", rows))),
        price_feed(
            "zn",
            str(write_prices(tmp_path / "zn.csv", rows)),
            series="zinc_shfe_futures",
            material="zinc",
        ),
    ).feeds
    seen: list[str] = []
    done = threading.Event()

    def record(outcome: object) -> None:
        seen.append(outcome.feed_id)  # type: ignore[attr-defined]
        if len(seen) == 2:
            done.set()

    scheduler, caught = build_feed_scheduler(
        factory, definitions=feeds, on_outcome=record, timezone="Asia/Shanghai"
    )
    assert caught == ["feed:cu", "feed:zn"]
    scheduler.start()
    try:
        assert done.wait(20), f"catch-up runs did not finish: {seen}"
        time.sleep(0.3)  # a second run, if any, would show up here
    finally:
        scheduler.shutdown(wait=True)
    assert sorted(seen) == ["cu", "zn"]
    with factory() as session:
        previous = last_runs(session)
    assert set(previous) == {"cu", "zn"} and all(previous.values())
    _scheduler, caught_again = build_feed_scheduler(
        factory, definitions=feeds, timezone="Asia/Shanghai"
    )
    assert caught_again == []  # a restart right after does not run them twice


def test_a_job_never_runs_twice_at_once() -> None:
    started, release, refused = threading.Event(), threading.Event(), threading.Event()
    calls: list[str] = []

    def slow(feed_id: str) -> None:
        calls.append(feed_id)
        started.set()
        release.wait(10)

    def on_max(event: JobEvent) -> None:
        refused.set()

    scheduler = make_scheduler(timezone="Asia/Shanghai")
    scheduler.add_listener(on_max, EVENT_JOB_MAX_INSTANCES)
    now = datetime.now(SHANGHAI)
    add_feed_jobs(
        scheduler, definitions=FEEDS[:1], run=slow, last_run={}, now=now, timezone="Asia/Shanghai"
    )
    scheduler.start()
    try:
        assert started.wait(5)
        scheduler.modify_job("feed:daily", next_run_time=datetime.now(SHANGHAI))
        assert refused.wait(5), "the second instance was not refused"
        assert calls == ["daily"]
    finally:
        release.set()
        scheduler.shutdown(wait=True)
    assert calls == ["daily"]


def test_feed_runs_go_a_few_at_a_time_and_never_hold_up_the_other_jobs(tmp_path: Path) -> None:
    """Twelve feeds due at once (a catch-up, or 17:00): at most FEED_WORKERS run together,
    and a job of the default pool (the delivery worker's kind) still runs meanwhile."""
    feeds = definitions(
        *(
            price_feed(f"f{n}", str(tmp_path / f"f{n}.csv"), series=f"s{n}", material="copper")
            for n in range(12)
        )
    ).feeds
    lock = threading.Lock()
    running, most, done = [0], [0], []
    other_ran = threading.Event()

    def run(feed_id: str) -> None:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.3)
        with lock:
            running[0] -= 1
            done.append(feed_id)

    scheduler = make_scheduler(timezone="Asia/Shanghai")
    caught = add_feed_jobs(
        scheduler,
        definitions=feeds,
        run=run,
        last_run={},
        now=datetime.now(ZoneInfo("Asia/Shanghai")),
        timezone="Asia/Shanghai",
    )
    scheduler.add_job(other_ran.set, next_run_time=datetime.now(ZoneInfo("Asia/Shanghai")))
    assert len(caught) == 12
    scheduler.start()
    try:
        assert other_ran.wait(1.0), "a default-pool job waited for the feed runs"
        deadline = time.monotonic() + 20
        while len(done) < 12 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        scheduler.shutdown(wait=True)
    assert sorted(done) == sorted(f"f{n}" for n in range(12))
    assert 2 <= most[0] <= FEED_WORKERS
