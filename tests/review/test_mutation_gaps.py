"""Review behaviours that deliberate small bugs once slipped past: the audit's before and
after of a decision, the notice of an item approved by an overdue deadline, a deleted silence
that must stop muting."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.support.review import T0, step
from vocabulary import Direction, Level
from warning.audit import AuditEntry
from warning.review import decisions
from warning.review.lifecycle import InvalidMove
from warning.review.models import ReviewItem, WarningEvent
from warning.review.policy import OverdueAction, ReviewPolicy
from warning.review.silences import (
    Change,
    active_silences,
    create_silence,
    delete_silence,
    silence_for,
)
from warning.review.states import ItemState
from warning.review.sweep import sweep
from warning.store import aware

CU = "copper"
COPPER_YELLOW_UP = Change(CU, "nonferrous", "yellow", "up")


def item_of(session: Session, material: str = CU) -> ReviewItem:
    (item,) = session.scalars(select(ReviewItem).where(ReviewItem.material_id == material))
    return item


def audit_of(session: Session, action: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The before and after of the one audit entry of ``action``, parsed."""
    (entry,) = session.scalars(select(AuditEntry).where(AuditEntry.action == action))
    return json.loads(entry.before or "null"), json.loads(entry.after or "null")


def test_an_approvals_audit_holds_the_item_before_and_after_the_move(
    factory: sessionmaker[Session],
) -> None:
    with factory() as session, session.begin():
        step(session, {CU: ("yellow", "up")})
        item_id = item_of(session).id
        decisions.approve(session, item_id=item_id, actor="ana", comment="agreed", now=T0)
        before, after = audit_of(session, "approved")
    assert before["item"]["state"] == "pending"
    assert after["item"]["state"] == "approved"
    assert before["warning"] is None  # copper had no warning
    assert after["warning"]["state"] == "active"
    assert after["warning"]["level"] == "yellow" and after["warning"]["direction"] == "up"


def test_an_adjustments_audit_shows_the_final_level_only_after(
    factory: sessionmaker[Session],
) -> None:
    with factory() as session, session.begin():
        step(session, {CU: ("red", "up")})
        item_id = item_of(session).id
        decisions.adjust(
            session, item_id=item_id, actor="ana", reason="too early", level=Level.YELLOW, now=T0
        )
        before, after = audit_of(session, "adjusted")
    assert before["item"]["state"] == "pending" and "final_level" not in before["item"]
    assert after["item"]["state"] == "approved"
    assert after["item"]["final_level"] == "yellow" and after["item"]["level"] == "red"
    assert after["warning"]["level"] == "yellow"


def test_a_rejections_audit_leaves_the_warning_as_it_was(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        step(session, {CU: ("red", "up")})
        item_id = item_of(session).id
        decisions.reject(session, item_id=item_id, actor="ana", reason="bad data", now=T0)
        before, after = audit_of(session, "rejected")
    assert (before["item"]["state"], after["item"]["state"]) == ("pending", "rejected")
    assert before["warning"] is None and after["warning"] is None


def test_an_item_approved_by_its_overdue_deadline_notifies(
    factory: sessionmaker[Session],
) -> None:
    policy = ReviewPolicy(overdue={"red": OverdueAction.APPROVE})
    with factory() as session, session.begin():
        step(session, {CU: ("red", "up")}, policy=policy)
        assert session.scalars(select(WarningEvent)).all() == []
        late = sweep(session, policy=policy, now=T0 + timedelta(hours=2))  # red: 2 h
        item = item_of(session)
        assert late.approved == [item.id] and item.state is ItemState.APPROVED
        assert item.silenced is False
        (event,) = session.scalars(select(WarningEvent))
        assert event.notify is True
        assert (event.level, event.direction) == (Level.RED, Direction.UP)
        before, after = audit_of(session, "approved_by_policy")
    assert before["item"]["state"] == "pending" and before["item"]["overdue"] is True
    assert after["item"]["state"] == "approved"


def test_a_deleted_silence_no_longer_mutes_its_material(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        silence = create_silence(
            session,
            material_id=CU,
            ends_at=T0 + timedelta(days=3),
            comment="contract roll",
            actor="ana",
            now=T0 - timedelta(hours=2),
        )
        assert silence_for(session, change=COPPER_YELLOW_UP, at=T0 - timedelta(hours=1)) is silence
        delete_silence(session, silence_id=silence.id, actor="ana", now=T0 - timedelta(hours=1))
        assert silence_for(session, change=COPPER_YELLOW_UP, at=T0) is None
        assert active_silences(session, at=T0) == []
        outcome = step(session, {CU: ("yellow", "up")})
        copper = item_of(session)
        assert outcome.created == [copper.id] and outcome.approved_by_policy == []
        assert copper.silenced is False and copper.state is ItemState.PENDING
        assert session.scalars(select(WarningEvent)).all() == []


def test_a_silence_for_every_material_mutes_copper_until_it_is_deleted(
    factory: sessionmaker[Session],
) -> None:
    with factory() as session, session.begin():
        everything = create_silence(
            session,
            material_id=None,
            ends_at=T0 + timedelta(days=3),
            comment="holiday",
            actor="ana",
            now=T0 - timedelta(hours=2),
        )
        assert silence_for(session, change=COPPER_YELLOW_UP, at=T0) is everything
        delete_silence(session, silence_id=everything.id, actor="ana", now=T0 - timedelta(hours=1))
        assert silence_for(session, change=COPPER_YELLOW_UP, at=T0) is None


def test_an_adjustments_audit_keeps_its_reason(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        step(session, {CU: ("red", "up")})
        item_id = item_of(session).id
        decisions.adjust(
            session, item_id=item_id, actor="ana", reason="one port only", level=Level.BLUE, now=T0
        )
        (entry,) = session.scalars(select(AuditEntry).where(AuditEntry.action == "adjusted"))
        assert (entry.actor, entry.comment, entry.review_item_id) == (
            "ana",
            "one port only",
            item_id,
        )


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({}, "an adjustment must change the level, direction or text"),
        ({"level": Level.NO_DATA}, "cannot adjust to no_data; expected normal or a level"),
        (
            {"level": Level.YELLOW, "direction": Direction.NONE},
            "a yellow warning needs a direction, up or down",
        ),
    ],
)
def test_a_refused_adjustment_names_the_item_and_why(
    factory: sessionmaker[Session], changes: dict[str, Any], reason: str
) -> None:
    with factory() as session, session.begin():
        step(session, {CU: ("red", "up")})
        item_id = item_of(session).id
        with pytest.raises(InvalidMove) as refused:
            decisions.adjust(session, item_id=item_id, actor="a", reason="x", now=T0, **changes)
        assert (refused.value.item_id, refused.value.reason) == (item_id, reason)
        assert str(refused.value) == f"review item {item_id}: {reason}"
        with pytest.raises(InvalidMove) as no_reason:
            decisions.adjust(session, item_id=item_id, actor="a", reason=" ", now=T0)
        assert no_reason.value.reason == "an adjustment needs a reason"


def test_a_refusal_without_an_item_is_just_its_reason() -> None:
    assert str(InvalidMove(None, "a silence needs a comment saying why")) == (
        "a silence needs a comment saying why"
    )


def test_a_deadline_survives_an_update_to_a_proposal_without_one(
    factory: sessionmaker[Session],
) -> None:
    with factory() as session, session.begin():
        step(session, {CU: ("yellow", "up")})
        copper = item_of(session)
        decisions.snooze(  # keep copper open while blue (which approves itself when new)
            session,
            item_id=copper.id,
            actor="a",
            until=T0 + timedelta(days=9),
            comment=None,
            now=T0,
        )
        step(session, {CU: ("blue", "up")}, day=0, now=T0 + timedelta(hours=1))
        assert copper.level is Level.BLUE
        assert aware(copper.deadline_at) == T0 + timedelta(hours=24)  # blue has none: kept
