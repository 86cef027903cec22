"""The periodic pass over open items: snoozes that ran out, deadlines that passed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vocabulary import Level
from warning.audit import record
from warning.review.decisions import approve_by_policy
from warning.review.lifecycle import next_state
from warning.review.models import ReviewItem
from warning.review.policy import OverdueAction, ReviewPolicy
from warning.review.snapshots import item_snapshot
from warning.review.states import POLICY_ACTOR, ItemEvent, ItemState


@dataclass
class SweepOutcome:
    """Items woken from a snooze, escalated, and approved by an overdue deadline."""

    woken: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)
    approved: list[int] = field(default_factory=list)


def sweep(session: Session, *, policy: ReviewPolicy, now: datetime) -> SweepOutcome:
    """Wake items whose snooze ran out, then act on pending items past their deadline."""
    outcome = SweepOutcome()
    snoozed = select(ReviewItem).where(
        ReviewItem.state == ItemState.SNOOZED, ReviewItem.snoozed_until <= now
    )
    for item in session.scalars(snoozed).all():
        _wake(session, item, now=now)
        outcome.woken.append(item.id)
    late = select(ReviewItem).where(
        ReviewItem.state == ItemState.PENDING,
        ReviewItem.overdue.is_(False),
        ReviewItem.deadline_at <= now,
    )
    for item in session.scalars(late.order_by(ReviewItem.id)).all():
        _overdue(session, item, policy=policy, now=now, outcome=outcome)
    return outcome


def _wake(session: Session, item: ReviewItem, *, now: datetime) -> None:
    before = item_snapshot(item)
    item.state = next_state(item.id, item.state, ItemEvent.WAKE)
    item.snoozed_until, item.updated_at = None, now
    session.flush()
    record(
        session,
        at=now,
        actor=POLICY_ACTOR,
        action="woken",
        material_id=item.material_id,
        review_item_id=item.id,
        before=before,
        after=item_snapshot(item),
        comment="the snooze ran out",
    )


def _overdue(
    session: Session,
    item: ReviewItem,
    *,
    policy: ReviewPolicy,
    now: datetime,
    outcome: SweepOutcome,
) -> None:
    before = item_snapshot(item)
    item.state = next_state(item.id, item.state, ItemEvent.OVERDUE)
    item.overdue = True
    action = policy.overdue_action(Level(item.level))
    if action is OverdueAction.APPROVE:
        session.flush()
        approve_by_policy(
            session, item=item, why="the review deadline passed", notify=not item.silenced, now=now
        )
        outcome.approved.append(item.id)
        return
    item.escalated_at = now
    session.flush()
    record(
        session,
        at=now,
        actor=POLICY_ACTOR,
        action="escalated",
        material_id=item.material_id,
        review_item_id=item.id,
        before=before,
        after=item_snapshot(item),
        comment="the review deadline passed: raised in the queue",
    )
    outcome.escalated.append(item.id)
