"""Scheduled job runs on the store: one claim per job and scheduled time, leases that run out,
runs released at a stop and taken over, and the last fire time every replica agrees on."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from warning.clock import FrozenClock, use_clock
from warning.jobs.once import TAKE_OVER_WITHIN, JobRuns, last_fire_time
from warning.store import job_runs, transaction
from warning.store.job_runs import JobRun, JobRunStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # 17:00 in Shanghai
NOW = AT + timedelta(seconds=5)


def claim(factory: sessionmaker[Session], worker: str, *, now: datetime = NOW) -> int | None:
    with transaction(factory) as session:
        return job_runs.claim(
            session, job="feed:cu", scheduled_for=AT, worker=worker, now=now, lease_s=60
        )


def rows(factory: sessionmaker[Session]) -> list[JobRun]:
    with factory() as session:
        return list(session.scalars(select(JobRun).order_by(JobRun.id)))


def test_a_job_at_a_scheduled_time_is_claimed_once(factory: sessionmaker[Session]) -> None:
    first = claim(factory, "a")
    assert first is not None
    assert claim(factory, "b") is None
    # the same instant in the desk's zone is the same scheduled time
    with transaction(factory) as session:
        again = job_runs.claim(
            session,
            job="feed:cu",
            scheduled_for=AT.astimezone(SHANGHAI),
            worker="c",
            now=NOW,
            lease_s=60,
        )
    assert again is None
    # another time, or another job, is a run of its own
    with transaction(factory) as session:
        later = job_runs.claim(
            session,
            job="feed:cu",
            scheduled_for=AT + timedelta(days=1),
            worker="b",
            now=NOW,
            lease_s=60,
        )
        other = job_runs.claim(
            session, job="feed:al", scheduled_for=AT, worker="b", now=NOW, lease_s=60
        )
    assert later is not None and other is not None and len({first, later, other}) == 3
    (run, *_) = rows(factory)
    assert (run.worker, run.status, run.claims) == ("a", JobRunStatus.RUNNING, 1)


def test_concurrent_claims_give_the_run_to_one(factory: sessionmaker[Session]) -> None:
    won: list[int | None] = []
    start = threading.Barrier(6)

    def race(name: str) -> None:
        start.wait()
        won.append(claim(factory, name))

    threads = [threading.Thread(target=race, args=(f"w{n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len([one for one in won if one is not None]) == 1
    assert len(rows(factory)) == 1


def test_a_finished_run_is_not_claimed_again(factory: sessionmaker[Session]) -> None:
    run_id = claim(factory, "a")
    assert run_id is not None
    with transaction(factory) as session:
        assert job_runs.finish(session, run_id=run_id, worker="a", now=NOW)
    # even long after its lease would have run out
    assert claim(factory, "b", now=NOW + timedelta(hours=1)) is None
    (run,) = rows(factory)
    assert (run.status, run.error, run.lease_until) == (JobRunStatus.FINISHED, None, None)


def test_a_failed_run_is_recorded_with_its_error_and_not_run_again(
    factory: sessionmaker[Session],
) -> None:
    run_id = claim(factory, "a")
    assert run_id is not None
    with transaction(factory) as session:
        job_runs.finish(session, run_id=run_id, worker="a", now=NOW, error="OSError: down")
    assert claim(factory, "b", now=NOW + timedelta(hours=1)) is None
    (run,) = rows(factory)
    assert (run.status, run.error) == (JobRunStatus.FAILED, "OSError: down")


def test_a_lease_that_ran_out_is_taken_over_and_the_old_holder_cannot_finish(
    factory: sessionmaker[Session],
) -> None:
    run_id = claim(factory, "a")
    lease_end = NOW + timedelta(seconds=60)
    assert claim(factory, "b", now=lease_end) is None  # the lease holds to its last instant
    assert claim(factory, "b", now=lease_end + timedelta(microseconds=1)) == run_id
    with transaction(factory) as session:
        assert not job_runs.finish(session, run_id=run_id or 0, worker="a", now=lease_end)
        assert job_runs.finish(session, run_id=run_id or 0, worker="b", now=lease_end)
    (run,) = rows(factory)
    assert (run.worker, run.status, run.claims) == ("b", JobRunStatus.FINISHED, 2)


def test_renewing_keeps_the_lease(factory: sessionmaker[Session]) -> None:
    run_id = claim(factory, "a")
    assert run_id is not None
    with transaction(factory) as session:
        renewed = job_runs.renew(
            session, run_ids=[run_id], worker="a", now=NOW + timedelta(seconds=50), lease_s=60
        )
        assert job_runs.renew(session, run_ids=[run_id], worker="b", now=NOW, lease_s=60) == 0
    assert renewed == 1
    assert claim(factory, "b", now=NOW + timedelta(seconds=100)) is None
    assert claim(factory, "b", now=NOW + timedelta(seconds=111)) == run_id


def test_a_released_run_is_claimed_at_once(factory: sessionmaker[Session]) -> None:
    run_id = claim(factory, "a")
    with transaction(factory) as session:
        assert job_runs.abandoned(session, now=NOW, since=AT) == []
        assert job_runs.release(session, run_ids=[run_id or 0], worker="b") == 0  # not b's
        assert job_runs.release(session, run_ids=[run_id or 0], worker="a") == 1
        found = job_runs.abandoned(session, now=NOW, since=AT)
        assert [(one.job, one.scheduled_for) for one in found] == [("feed:cu", AT)]
        # runs scheduled before the window are left alone
        assert job_runs.abandoned(session, now=NOW, since=AT + timedelta(seconds=1)) == []
    assert claim(factory, "b") == run_id  # well within the old lease


def test_pruning_forgets_old_finished_runs_only(factory: sessionmaker[Session]) -> None:
    run_id = claim(factory, "a")  # its lease runs to NOW + 60 s
    with transaction(factory) as session:
        lease_end = NOW + timedelta(seconds=60)
        assert job_runs.prune(session, before=lease_end) == 0  # still running: lease holds
        job_runs.finish(session, run_id=run_id or 0, worker="a", now=NOW)
        assert job_runs.prune(session, before=AT) == 0  # the boundary is kept
        assert job_runs.prune(session, before=AT + timedelta(microseconds=1)) == 1
    assert rows(factory) == []


def test_the_last_fire_time_is_the_desks_whatever_the_hosts_zone() -> None:
    weekdays_17 = CronTrigger(day_of_week="mon-fri", hour=17, minute=0, timezone=SHANGHAI)
    monday_17 = datetime(2026, 12, 7, 17, 0, tzinfo=SHANGHAI)
    assert last_fire_time(weekdays_17, monday_17) == monday_17
    assert last_fire_time(weekdays_17, monday_17.astimezone(UTC)) == monday_17
    friday_17 = datetime(2026, 12, 4, 17, 0, tzinfo=SHANGHAI)
    assert last_fire_time(weekdays_17, monday_17 - timedelta(microseconds=1)) == friday_17
    yearly = CronTrigger(month=3, day=1, hour=10, timezone=SHANGHAI)
    assert last_fire_time(yearly, monday_17) == datetime(2026, 3, 1, 10, tzinfo=SHANGHAI)
    every_minute = CronTrigger(second=0, timezone=SHANGHAI)
    assert last_fire_time(every_minute, monday_17 + timedelta(seconds=59)) == monday_17


def test_a_stopping_process_starts_no_job_and_takes_nothing_over(
    factory: sessionmaker[Session],
) -> None:
    ran: list[str] = []
    runs = JobRuns(factory, lease_s=60, worker="me")
    every_minute = CronTrigger(second=0, timezone=SHANGHAI)
    job = runs.once("review:sweep", every_minute, lambda: ran.append("sweep"))
    with use_clock(FrozenClock(NOW)):
        job()
        job()  # the same minute: claimed already
        assert ran == ["sweep"]
        runs.stopping.set()
        with use_clock(FrozenClock(NOW + timedelta(minutes=1))):
            job()
        assert runs.take_over() == 0
    assert ran == ["sweep"]
    assert [(run.job, run.status) for run in rows(factory)] == [
        ("review:sweep", JobRunStatus.FINISHED)
    ]


def test_a_run_released_by_one_process_is_taken_over_by_another(
    factory: sessionmaker[Session],
) -> None:
    first = JobRuns(factory, lease_s=60, worker="first")
    second = JobRuns(factory, lease_s=60, worker="second")
    ran: list[str] = []
    trigger = CronTrigger(hour=17, minute=0, timezone=SHANGHAI)
    inside = threading.Event()
    leave = threading.Event()

    def slow() -> None:
        inside.set()
        leave.wait(10)
        ran.append("first")

    with use_clock(FrozenClock(NOW)):
        held = threading.Thread(target=first.once("feed:cu", trigger, slow))
        held.start()
        assert inside.wait(10)
        second.once("feed:cu", trigger, lambda: ran.append("second"))
        assert second.take_over() == 0  # held, lease running
        assert [one.job for one in first.held()] == ["feed:cu"]
        assert first.release() == 1
        assert second.take_over() == 1
        leave.set()
        held.join()
    assert ran == ["second", "first"]
    (run,) = rows(factory)
    # the first process's late end does not overwrite the second's record
    assert (run.worker, run.status, run.claims) == ("second", JobRunStatus.FINISHED, 2)


def test_a_failing_job_is_recorded_failed_and_the_process_goes_on(
    factory: sessionmaker[Session],
) -> None:
    runs = JobRuns(factory, lease_s=60, worker="me")

    def broken() -> None:
        raise OSError("the source is down")

    with use_clock(FrozenClock(NOW)):
        runs.once("feed:cu", CronTrigger(hour=17, minute=0, timezone=SHANGHAI), broken)()
    (run,) = rows(factory)
    assert (run.status, run.error) == (JobRunStatus.FAILED, "OSError: the source is down")
    assert runs.held() == []


def test_a_run_whose_lease_lapsed_here_is_not_run_again_here(
    factory: sessionmaker[Session],
) -> None:
    # the store was away longer than the lease: the heartbeat could not renew it, and the run
    # is still going in this process; neither take-over nor the scheduler's next firing of the
    # same scheduled time may start it a second time beside itself
    runs = JobRuns(factory, lease_s=60, worker="me")
    trigger = CronTrigger(hour=17, minute=0, timezone=SHANGHAI)
    entered: list[str] = []
    inside = threading.Event()
    leave = threading.Event()

    def slow() -> None:
        entered.append(threading.current_thread().name)
        inside.set()
        leave.wait(10)

    with use_clock(FrozenClock(NOW)) as frozen:
        assert isinstance(frozen, FrozenClock)
        fire = runs.once("feed:cu", trigger, slow)
        first = threading.Thread(target=fire, name="first")
        first.start()
        assert inside.wait(10)
        frozen.advance(seconds=61)  # past the lease, not renewed
        assert runs.take_over() == 0
        assert runs.run("feed:cu", AT, slow) is False
        leave.set()
        first.join()
    assert entered == ["first"]
    (run,) = rows(factory)
    assert (run.worker, run.status) == ("me", JobRunStatus.FINISHED)


def test_pruning_forgets_old_runs_released_or_left_by_a_dead_process(
    factory: sessionmaker[Session],
) -> None:
    claim(factory, "dead")  # never renewed: its lease ends at NOW + 60 s
    with transaction(factory) as session:
        assert job_runs.prune(session, before=NOW + timedelta(seconds=60)) == 0  # at the end
        assert job_runs.prune(session, before=NOW + timedelta(seconds=60, microseconds=1)) == 1
    released = claim(factory, "stopped")
    with transaction(factory) as session:
        assert job_runs.release(session, run_ids=[released or 0], worker="stopped") == 1
        assert job_runs.prune(session, before=AT) == 0  # scheduled at the boundary: kept
        assert job_runs.prune(session, before=AT + timedelta(microseconds=1)) == 1
    assert rows(factory) == []


def test_take_over_finds_a_catch_up_of_a_missed_fire_time_and_only_the_newest_run(
    factory: sessionmaker[Session],
) -> None:
    # a replica caught up the 17:00 feed run at 06:00 the next morning (13 hours after its
    # fire time) and died holding it: another takes it over, whatever the hour
    later = AT + timedelta(hours=13)
    with transaction(factory) as session:
        job_runs.claim(
            session, job="feed:cu", scheduled_for=AT, worker="dead", now=later, lease_s=60
        )
        job_runs.claim(
            session, job="feed:zn", scheduled_for=AT, worker="dead", now=later, lease_s=60
        )
        job_runs.claim(  # zinc's next fire time ran since: its older run is stale
            session,
            job="feed:zn",
            scheduled_for=AT + timedelta(days=1),
            worker="alive",
            now=later,
            lease_s=3600,
        )
    after_lease = later + timedelta(seconds=61)
    with transaction(factory) as session:
        found = job_runs.abandoned(session, now=after_lease, since=after_lease - TAKE_OVER_WITHIN)
    assert [(run.job, run.scheduled_for) for run in found] == [("feed:cu", AT)]
    with transaction(factory) as session:  # not before the lease ended
        assert job_runs.abandoned(session, now=later + timedelta(seconds=60), since=AT) == []
