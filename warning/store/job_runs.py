"""Scheduled job runs shared by every process on one store: each job once per scheduled time.

A process about to run a scheduled job claims the row ``(job, scheduled_for)``: the first to
insert it runs the job, every other replica finds it taken and skips. The claim is a lease
(``lease_until``) that the holder renews while it works; a run whose lease ran out (its
process died) or that was released (its process stopped cleanly before it finished) may be
claimed again by any process (:func:`abandoned` lists them). Finished and failed runs stay
as the record of what ran.

Times are stored in UTC (SQLite keeps no offset). Services take a session and never commit.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import (
    DateTime,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from warning.store.base import Base, aware, enum_column


class JobRunStatus(StrEnum):
    """Where a claimed run stands."""

    RUNNING = "running"  # claimed; the holder renews its lease while it works
    FINISHED = "finished"
    FAILED = "failed"  # the job raised; not run again for this scheduled time
    RELEASED = "released"  # its process stopped before it finished: free to claim at once


class JobRun(Base):
    """One scheduled job at one scheduled time, claimed by one process."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "scheduled_for"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job: Mapped[str] = mapped_column(String(128))
    scheduled_for: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[JobRunStatus] = mapped_column(enum_column(JobRunStatus, 16), index=True)
    worker: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claims: Mapped[int] = mapped_column(Integer, default=1)
    error: Mapped[str | None] = mapped_column(Text)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"a job run's time must be aware, got {moment!r}")
    return moment.astimezone(UTC)


def _table() -> Table:
    return cast(Table, JobRun.__table__)


def claim(
    session: Session,
    *,
    job: str,
    scheduled_for: datetime,
    worker: str,
    now: datetime,
    lease_s: float,
) -> int | None:
    """Claim ``job`` at ``scheduled_for`` for ``worker``: the run's id, or None when another
    process holds it or it has run. A released run, or one whose lease ran out, is taken over."""
    table = _table()
    when, now = _utc(scheduled_for), _utc(now)
    lease = now + timedelta(seconds=lease_s)
    values: dict[str, Any] = {
        "job": job,
        "scheduled_for": when,
        "status": JobRunStatus.RUNNING.value,
        "worker": worker,
        "lease_until": lease,
        "started_at": now,
        "claims": 1,
    }
    dialect = session.get_bind().dialect.name
    insert = postgres_insert if dialect == "postgresql" else sqlite_insert
    created = session.execute(
        insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["job", "scheduled_for"])
        .returning(table.c.id)
    ).scalar()
    if created is not None:
        return int(created)
    taken = session.execute(
        update(table)
        .where(table.c.job == job, table.c.scheduled_for == when, _free(table, now))
        .values(
            status=JobRunStatus.RUNNING.value,
            worker=worker,
            lease_until=lease,
            started_at=now,
            claims=table.c.claims + 1,
        )
        .returning(table.c.id)
    ).scalar()
    return None if taken is None else int(taken)


def _free(table: Table, now: datetime) -> Any:
    return or_(
        table.c.status == JobRunStatus.RELEASED.value,
        and_(table.c.status == JobRunStatus.RUNNING.value, table.c.lease_until < now),
    )


def _held_by(run_ids: Collection[int], worker: str) -> Any:
    """An update of the runs among ``run_ids`` that ``worker`` still holds."""
    table = _table()
    return update(table).where(
        table.c.id.in_(list(run_ids)),
        table.c.worker == worker,
        table.c.status == JobRunStatus.RUNNING.value,
    )


def renew(
    session: Session, *, run_ids: Collection[int], worker: str, now: datetime, lease_s: float
) -> int:
    """Extend the leases ``worker`` still holds on ``run_ids``; how many it still holds."""
    if not run_ids:
        return 0
    result = session.execute(
        _held_by(run_ids, worker).values(lease_until=_utc(now) + timedelta(seconds=lease_s))
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def finish(
    session: Session, *, run_id: int, worker: str, now: datetime, error: str | None = None
) -> bool:
    """Record the run ``worker`` holds as finished (or failed, with ``error``); False when it
    no longer holds it (released at a stop, or taken over after its lease ran out)."""
    status = JobRunStatus.FINISHED if error is None else JobRunStatus.FAILED
    result = session.execute(
        _held_by([run_id], worker).values(
            status=status.value, finished_at=_utc(now), lease_until=None, error=error
        )
    )
    return int(result.rowcount) == 1  # type: ignore[attr-defined]


def release(session: Session, *, run_ids: Collection[int], worker: str) -> int:
    """Give back the runs ``worker`` holds unfinished, so another process claims them at
    once rather than after the lease; how many were released."""
    if not run_ids:
        return 0
    result = session.execute(
        _held_by(run_ids, worker).values(
            status=JobRunStatus.RELEASED.value, worker=None, lease_until=None
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Abandoned:
    """A run to take over: released, or its holder's lease ran out."""

    job: str
    scheduled_for: datetime


def abandoned(session: Session, *, now: datetime, since: datetime) -> list[Abandoned]:
    """Runs scheduled after ``since`` that are free to claim again and are their job's newest
    (a later scheduled time of the job has run or is running: the older one is stale), oldest
    first. A catch-up stands for the last fire time missed, which may be a day or a month
    back, so ``since`` reaches that far."""
    table = _table()
    later = table.alias("later")
    newer = (
        select(later.c.id)
        .where(later.c.job == table.c.job, later.c.scheduled_for > table.c.scheduled_for)
        .exists()
    )
    rows = session.execute(
        select(table.c.job, table.c.scheduled_for)
        .where(_free(table, _utc(now)), table.c.scheduled_for >= _utc(since), ~newer)
        .order_by(table.c.scheduled_for, table.c.id)
    )
    return [Abandoned(job, aware(when) or when) for job, when in rows]


def prune(session: Session, *, before: datetime) -> int:
    """Forget the runs scheduled before ``before`` that no process holds: finished, failed,
    released, or running on a lease that ended before ``before`` (its process died, and runs
    that old are not taken over); how many."""
    table = _table()
    when = _utc(before)
    ended = [JobRunStatus.FINISHED.value, JobRunStatus.FAILED.value, JobRunStatus.RELEASED.value]
    result = session.execute(
        delete(table).where(
            table.c.scheduled_for < when,
            or_(
                table.c.status.in_(ended),
                and_(table.c.status == JobRunStatus.RUNNING.value, table.c.lease_until < when),
            ),
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
