"""warning.jobs.schedule: real CronTriggers in the desk's time zone with the host clock in UTC."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from feeds.definitions import DefinitionError, FeedDefinition, FeedDefinitions
from warning.jobs.schedule import catch_up_due, check_schedules, job_spec, job_specs

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")


@pytest.fixture(autouse=True)
def host_in_utc() -> Iterator[None]:
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if before is None:
        os.environ.pop("TZ")
    else:
        os.environ["TZ"] = before
    time.tzset()


def definition(frequency: str, **schedule: Any) -> FeedDefinition:
    return FeedDefinition.model_validate(
        {
            "id": f"feed_{frequency.lower()}",
            "source": "file",
            "location": "x.csv",
            "schedule": schedule,
            "series": [
                {
                    "id": "s",
                    "material": "copper",
                    "indicator": "price",
                    "frequency": frequency,
                    "unit": "CNY/t",
                    "value": "v",
                }
            ],
        }
    )


@pytest.mark.parametrize(
    ("frequency", "schedule", "now_utc", "expected_shanghai"),
    [
        # Friday 09:30 UTC = 17:30 Shanghai: today's run has passed, next is Monday 17:00
        ("D", {}, datetime(2024, 3, 1, 9, 30), datetime(2024, 3, 4, 17, 0)),
        ("D", {}, datetime(2024, 3, 1, 8, 30), datetime(2024, 3, 1, 17, 0)),
        ("D", {"hour": 16, "minute": 30}, datetime(2024, 3, 1, 0, 0), datetime(2024, 3, 1, 16, 30)),
        ("W", {}, datetime(2024, 3, 1, 0, 0), datetime(2024, 3, 2, 10, 0)),
        ("M", {}, datetime(2024, 3, 1, 0, 0), datetime(2024, 3, 17, 10, 0)),
        ("M", {"day": 6}, datetime(2024, 3, 6, 3, 0), datetime(2024, 4, 6, 10, 0)),
        ("T", {}, datetime(2024, 3, 5, 0, 0), datetime(2024, 3, 14, 10, 0)),
        ("Q", {}, datetime(2024, 3, 1, 0, 0), datetime(2024, 4, 20, 10, 0)),
        ("Y", {}, datetime(2024, 3, 2, 0, 0), datetime(2025, 3, 1, 10, 0)),
    ],
)
def test_next_fire_times_are_shanghai_times(
    frequency: str, schedule: dict[str, Any], now_utc: datetime, expected_shanghai: datetime
) -> None:
    spec = job_spec(definition(frequency, **schedule), timezone="Asia/Shanghai")
    fire = spec.trigger().get_next_fire_time(None, now_utc.replace(tzinfo=UTC))
    assert fire == expected_shanghai.replace(tzinfo=SHANGHAI)
    assert fire.utcoffset().total_seconds() == 8 * 3600


def test_job_options_are_safe_and_ids_stable() -> None:
    feeds = [definition("D"), definition("M", misfire_grace_hours=12)]
    first = job_specs(feeds, timezone="Asia/Shanghai")
    second = job_specs(feeds, timezone="Asia/Shanghai")
    assert [s.job_id for s in first] == ["feed:feed_d", "feed:feed_m"] == [s.job_id for s in second]
    kwargs = first[1].add_job_kwargs()
    assert kwargs["coalesce"] is True and kwargs["max_instances"] == 1
    assert kwargs["misfire_grace_time"] == 12 * 3600 and kwargs["replace_existing"]
    assert first[0].misfire_grace_time >= 3600


def test_disabled_feeds_get_no_job() -> None:
    off = definition("D").model_copy(update={"enabled": False})
    assert job_specs([off, definition("M")], timezone="Asia/Shanghai")[0].job_id == "feed:feed_m"


def test_catch_up_after_downtime_once() -> None:
    spec = job_spec(definition("D"), timezone="Asia/Shanghai")
    last = datetime(2024, 3, 1, 17, 0, tzinfo=SHANGHAI)  # Friday's run happened
    assert not catch_up_due(spec, last, datetime(2024, 3, 4, 12, 0, tzinfo=SHANGHAI))
    # down over Monday and Tuesday: several fire times missed, caught up (once) on start
    assert catch_up_due(spec, last, datetime(2024, 3, 6, 9, 0, tzinfo=SHANGHAI))
    assert catch_up_due(spec, None, datetime(2024, 3, 6, 9, 0, tzinfo=SHANGHAI))


def test_apscheduler_registers_the_job_once() -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(timezone=SHANGHAI)
    spec = job_spec(definition("D"), timezone="Asia/Shanghai")
    scheduler.start(paused=True)  # paused: nothing runs; jobs are really registered
    try:
        scheduler.add_job(print, **spec.add_job_kwargs())
        scheduler.add_job(print, **spec.add_job_kwargs())  # replace_existing: still one job
        jobs = scheduler.get_jobs()
        assert [j.id for j in jobs] == ["feed:feed_d"]
        assert jobs[0].coalesce and jobs[0].max_instances == 1
        assert jobs[0].misfire_grace_time == spec.misfire_grace_time
        assert jobs[0].next_run_time.hour == 17
        assert str(jobs[0].next_run_time.tzinfo) == "Asia/Shanghai"
    finally:
        scheduler.shutdown(wait=False)


@pytest.mark.parametrize(
    ("schedule", "field", "problem"),
    [
        ({"day_of_week": "funday"}, "schedule.day_of_week", 'Invalid weekday name "funday"'),
        ({"day_of_week": "7"}, "schedule.day_of_week", "higher than the maximum value (6)"),
        ({"day_of_week": "sat-mon"}, "schedule.day_of_week", "must not be higher"),
    ],
)
def test_a_schedule_no_trigger_can_be_built_from_is_refused_at_load(
    schedule: dict[str, Any], field: str, problem: str
) -> None:
    feed = definition("D", **schedule).model_copy(update={"enabled": False})  # disabled too
    with pytest.raises(DefinitionError) as caught:
        check_schedules(FeedDefinitions("conf/feeds.yaml", (feed,)), timezone="Asia/Shanghai")
    assert (caught.value.feed, caught.value.field) == ("feed_d", field)
    assert str(caught.value).startswith("conf/feeds.yaml: feed 'feed_d'") and problem in str(
        caught.value
    )


def test_good_schedules_pass_the_check() -> None:
    feeds = (*(definition(f) for f in "DWTMQY"), definition("D", day_of_week="mon,wed"))
    check_schedules(FeedDefinitions("f.yaml", feeds), timezone="Asia/Shanghai")
