"""The outbox as workers see it: claim what is due, record what happened, replay the dead.

A worker claims due deliveries (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers
share them without duplicates; SQLite has one writer at a time) and holds them for a lease.
It sends with no transaction open, then records each attempt. A worker that dies between
sending and recording leaves its deliveries claimed until the lease runs out; another worker
then claims and sends them again, with the same id (at least once, never lost).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.orm import Session

from alerts import DeliveryResult, Outcome
from warning.audit import record
from warning.delivery.models import Delivery, DeliveryAttempt, DeliveryStatus
from warning.delivery.policy import DeliveryPolicy
from warning.directory.models import ContactEndpoint
from warning.review.lifecycle import InvalidMove, ItemNotFound


def claim_due(
    session: Session, *, worker: str, policy: DeliveryPolicy, now: datetime, limit: int = 200
) -> list[int]:
    """Claim up to ``limit`` due deliveries for ``worker``; their ids."""
    due = or_(
        and_(
            Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.RETRYING]),
            Delivery.next_attempt_at <= now,
        ),
        and_(Delivery.status == DeliveryStatus.SENDING, Delivery.claimed_until <= now),
    )
    rows = session.scalars(
        select(Delivery)
        .where(due)
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for delivery in rows:
        delivery.status = DeliveryStatus.SENDING
        delivery.claimed_by = worker
        delivery.claimed_until = now + timedelta(seconds=policy.lease_s)
    session.flush()
    return [delivery.id for delivery in rows]


@dataclass(frozen=True)
class Recorded:
    """A delivery's state after an attempt."""

    delivery_id: int
    status: DeliveryStatus


def record_results(
    session: Session,
    *,
    results: Sequence[tuple[int, DeliveryResult]],
    worker: str,
    policy: DeliveryPolicy,
    now: datetime,
    rng: random.Random | None = None,
) -> list[Recorded]:
    """Record each attempt and move its delivery on: sent, retrying (with backoff and jitter,
    never sooner than the receiver's Retry-After), or dead; a 410 disables the endpoint.

    In a few statements for the whole group (an insert of the attempts, an update by id), not
    an ORM object per delivery: the worker records while it sends, and must not starve it.
    A delivery another worker has claimed since is left alone (its lease ran out)."""
    jitter = rng or random.Random()
    ids = [delivery_id for delivery_id, _ in results]
    table = cast(Table, Delivery.__table__)
    held = {
        row.id: row
        for row in session.execute(
            select(
                table.c.id, table.c.attempts, table.c.endpoint_id, table.c.next_attempt_at
            ).where(table.c.id.in_(ids), table.c.claimed_by == worker)
        )
    }
    attempts, moves, recorded = [], [], []
    for delivery_id, result in results:
        row = held.pop(delivery_id, None)
        if row is None:
            continue  # the lease ran out and another worker took it over (or a repeat)
        tries = row.attempts + 1
        move = _move(tries, result, policy=policy, now=now, jitter=jitter)
        attempts.append(_attempt(delivery_id, result, worker=worker, now=now))
        moves.append(
            {
                "b_id": delivery_id,
                "b_worker": worker,
                "attempts": tries,
                "claimed_by": None,
                "claimed_until": None,
                "receiver_id": result.delivery_id,
                "status": move.status.value,
                "sent_at": now if move.status is DeliveryStatus.SENT else None,
                "last_error": move.error,
                "next_attempt_at": move.next_attempt_at or row.next_attempt_at,
            }
        )
        if result.disable_endpoint and row.endpoint_id is not None:
            _disable(session, row.endpoint_id, result, now=now)
        recorded.append(Recorded(delivery_id, move.status))
    if moves:
        session.execute(insert(cast(Table, DeliveryAttempt.__table__)), attempts)
        session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"), table.c.claimed_by == bindparam("b_worker"))
            .values({key: bindparam(key) for key in moves[0] if not key.startswith("b_")}),
            moves,
        )
    session.flush()  # a disabled endpoint, its audit entry
    session.expire_all()  # the ORM's copies of the deliveries are stale now
    return recorded


def _attempt(
    delivery_id: int, result: DeliveryResult, *, worker: str, now: datetime
) -> dict[str, object]:
    return {
        "delivery_id": delivery_id,
        "at": now,
        "worker": worker,
        "outcome": str(result.outcome),
        "status_code": result.status_code,
        "latency_ms": round(result.latency_s * 1000, 1),
        "error": result.error,
    }


@dataclass(frozen=True)
class _Move:
    status: DeliveryStatus
    error: str | None
    next_attempt_at: datetime | None = None


def _move(
    tries: int,
    result: DeliveryResult,
    *,
    policy: DeliveryPolicy,
    now: datetime,
    jitter: random.Random,
) -> _Move:
    """Where a delivery goes after its ``tries``-th attempt gave ``result``."""
    if result.outcome == Outcome.OK:
        return _Move(DeliveryStatus.SENT, None)
    retries_done = tries - 1
    if result.outcome == Outcome.PERMANENT or retries_done >= len(policy.retry_delays):
        return _Move(DeliveryStatus.DEAD, result.error)
    wait = policy.retry_delays[retries_done] * jitter.uniform(0.8, 1.2)
    wait = max(wait, result.retry_after_s or 0.0)
    return _Move(DeliveryStatus.RETRYING, result.error, now + timedelta(seconds=wait))


def _disable(session: Session, endpoint_id: int, result: DeliveryResult, *, now: datetime) -> None:
    endpoint = session.get(ContactEndpoint, endpoint_id)
    if endpoint is None or endpoint.disabled_at is not None:
        return
    endpoint.disabled_at = now
    endpoint.disabled_reason = f"the receiver answered {result.status_code}: gone"
    record(
        session,
        at=now,
        actor="delivery",
        action="endpoint_disabled",
        subject=f"endpoint:{endpoint_id}",
        after={"status_code": result.status_code},
    )


def replay(session: Session, *, delivery_id: int, actor: str, now: datetime) -> Delivery:
    """Send a dead delivery again, now, with a fresh set of retries (audited)."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        raise ItemNotFound(f"no delivery {delivery_id}")
    if delivery.status != DeliveryStatus.DEAD:
        raise InvalidMove(
            None, f"delivery {delivery_id} is {delivery.status}; only dead ones replay"
        )
    delivery.status, delivery.attempts = DeliveryStatus.PENDING, 0
    delivery.next_attempt_at = now
    record(
        session,
        at=now,
        actor=actor,
        action="delivery_replayed",
        subject=f"delivery:{delivery_id}",
        before={"status": "dead", "last_error": delivery.last_error},
    )
    return delivery


def status_counts(session: Session) -> dict[str, int]:
    """How many deliveries are in each status."""
    rows = session.execute(select(Delivery.status, func.count()).group_by(Delivery.status))
    counts = {str(status): 0 for status in DeliveryStatus}
    counts.update({str(status): int(n) for status, n in rows})
    return counts
