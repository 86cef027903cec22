"""The outbox's claims: free rows while others are locked, a late result after another worker
re-claimed, and nothing claimed left behind."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from alerts import DeliveryResult, Outcome
from tests.delivery.conftest import MakeContext, approve, load, two_contacts
from warning import clock
from warning.delivery.models import Delivery, DeliveryAttempt, DeliveryStatus
from warning.delivery.outbox import claim_due, record_results, status_counts
from warning.delivery.policy import DeliveryPolicy
from warning.delivery.routing import route_pending
from warning.jobs.delivery import deliver_due
from warning.review.models import WarningEvent
from warning.store import read_only, transaction

POLICY = DeliveryPolicy(group_wait_s=0.0, lease_s=300.0)


def routed(make_context: MakeContext, tmp_path: Path) -> object:
    context = make_context()
    load(context, two_contacts(tmp_path))
    approve(context, {"copper": ("red", "up"), "zinc": ("red", "down")})
    with transaction(context.factory) as session:
        route_pending(session, policy=POLICY, now=clock.now())
    return context


@pytest.mark.postgres
def test_a_claim_takes_the_free_rows_while_another_transaction_holds_some(
    make_context: MakeContext, tmp_path: Path, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("row locks held by another connection: PostgreSQL")
    context = routed(make_context, tmp_path)
    with read_only(context.factory) as session:  # type: ignore[attr-defined]
        ids = sorted(session.scalars(select(Delivery.id)))
    assert len(ids) == 2
    holder = context.factory()  # type: ignore[attr-defined]
    try:
        holder.execute(select(Delivery).where(Delivery.id == ids[0]).with_for_update())
        with transaction(context.factory) as session:  # type: ignore[attr-defined]
            session.execute(text("SET LOCAL lock_timeout = '2s'"))  # blocked: an error, not a hang
            claimed = claim_due(session, worker="b", policy=POLICY, now=clock.now())
        assert claimed == [ids[1]]  # the free row, at once; the locked one skipped
    finally:
        holder.rollback()
        holder.close()


@pytest.mark.postgres
def test_routing_takes_the_free_events_while_another_replica_routes_one(
    make_context: MakeContext, tmp_path: Path, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("row locks held by another connection: PostgreSQL")
    context = make_context()
    load(context, two_contacts(tmp_path))
    approve(context, {"copper": ("red", "up"), "zinc": ("red", "down")})
    with read_only(context.factory) as session:  # type: ignore[attr-defined]
        events = sorted(session.scalars(select(WarningEvent.id)))
    assert len(events) == 2
    holder = context.factory()  # type: ignore[attr-defined]
    try:  # another replica is routing the first event
        holder.execute(select(WarningEvent).where(WarningEvent.id == events[0]).with_for_update())
        with transaction(context.factory) as session:  # type: ignore[attr-defined]
            session.execute(text("SET LOCAL lock_timeout = '2s'"))  # blocked: an error, not a hang
            outcome = route_pending(session, policy=POLICY, now=clock.now())
        assert len(outcome.notices) == 1 and outcome.deliveries  # the free event, at once
    finally:
        holder.rollback()
        holder.close()
    with read_only(context.factory) as session:  # type: ignore[attr-defined]
        routed_now = dict(session.execute(select(WarningEvent.id, WarningEvent.routed_at)).all())
    assert routed_now[events[0]] is None and routed_now[events[1]] is not None


def test_status_counts_name_every_status_with_zero_for_none(
    make_context: MakeContext, tmp_path: Path
) -> None:
    context = routed(make_context, tmp_path)
    with read_only(context.factory) as session:  # type: ignore[attr-defined]
        counts = status_counts(session)
    assert counts == {str(s): (2 if s is DeliveryStatus.PENDING else 0) for s in DeliveryStatus}


def test_the_longest_due_delivery_is_claimed_first(
    make_context: MakeContext, tmp_path: Path
) -> None:
    context = routed(make_context, tmp_path)
    with transaction(context.factory) as session:  # type: ignore[attr-defined]
        first, second = sorted(session.scalars(select(Delivery)), key=lambda d: d.id)
        second.next_attempt_at = clock.now() - timedelta(minutes=10)  # due longer: goes first
        first.next_attempt_at = clock.now() - timedelta(minutes=1)
        expected = second.id
    with transaction(context.factory) as session:  # type: ignore[attr-defined]
        claimed = claim_due(session, worker="a", policy=POLICY, now=clock.now(), limit=1)
    assert claimed == [expected]


def test_a_late_result_after_another_worker_reclaimed_is_ignored(
    make_context: MakeContext, tmp_path: Path
) -> None:
    context = routed(make_context, tmp_path)
    start = clock.now()
    with transaction(context.factory) as session:  # type: ignore[attr-defined]
        first = claim_due(session, worker="a", policy=POLICY, now=start, limit=1)
    later = start + timedelta(seconds=POLICY.lease_s)  # the lease ends exactly now
    with transaction(context.factory) as session:  # type: ignore[attr-defined]
        second = claim_due(session, worker="b", policy=POLICY, now=later, limit=1)
    assert first == second  # b took a's expired claim over

    late = DeliveryResult(Outcome.OK, "msg_a", 0.1)
    with transaction(context.factory) as session:  # type: ignore[attr-defined]
        recorded = record_results(
            session, results=[(first[0], late)], worker="a", policy=POLICY, now=later
        )

    assert recorded == []
    with read_only(context.factory) as session:  # type: ignore[attr-defined]
        delivery = session.get(Delivery, first[0])
        assert delivery is not None
        assert (delivery.status, delivery.claimed_by) == (DeliveryStatus.SENDING, "b")
        assert session.scalars(select(DeliveryAttempt)).all() == []


def test_a_claim_before_the_lease_ends_takes_nothing(
    make_context: MakeContext, tmp_path: Path
) -> None:
    context = routed(make_context, tmp_path)
    start = clock.now()
    with transaction(context.factory) as session:  # type: ignore[attr-defined]
        assert len(claim_due(session, worker="a", policy=POLICY, now=start)) == 2
    just_before = start + timedelta(seconds=POLICY.lease_s) - timedelta(microseconds=1)
    with transaction(context.factory) as session:  # type: ignore[attr-defined]
        assert claim_due(session, worker="b", policy=POLICY, now=just_before) == []


def test_a_claimed_delivery_with_nothing_to_send_is_not_left_sending(
    make_context: MakeContext, tmp_path: Path
) -> None:
    context = make_context()
    load(context, two_contacts(tmp_path))
    now = clock.now()
    with transaction(context.factory) as session:  # a delivery no notice points to
        session.add(
            Delivery(
                contact_id=1,
                channel="email",
                status=DeliveryStatus.PENDING,
                created_at=now,
                send_after=now,
                next_attempt_at=now,
                attempts=0,
            )
        )

    assert deliver_due(context) == {"sent": 0, "retrying": 0, "dead": 1}

    with read_only(context.factory) as session:
        orphan = session.scalars(select(Delivery)).one()
        assert orphan.status == DeliveryStatus.DEAD
        assert "nothing to send" in (orphan.last_error or "")
