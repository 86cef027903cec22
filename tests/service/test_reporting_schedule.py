"""``warning serve`` schedules enterprise reporting: the aggregates every ten minutes, the
reminders daily at 09:00 in the desk's time zone."""

from __future__ import annotations

from unittest.mock import sentinel

from apscheduler.schedulers.background import BackgroundScheduler

from warning.jobs.reporting_schedule import add_reporting_jobs


def test_the_reporting_jobs_are_scheduled() -> None:
    scheduler = BackgroundScheduler(timezone="Asia/Shanghai")
    add_reporting_jobs(scheduler, sentinel.context)  # type: ignore[arg-type]
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"reporting:aggregate", "reporting:remind"}
    assert str(jobs["reporting:aggregate"].trigger) == "interval[0:10:00]"
    remind = jobs["reporting:remind"].trigger
    assert str(remind) == "cron[hour='9', minute='0']"
    assert str(remind.timezone) == "Asia/Shanghai"  # the scheduler's: the desk's
