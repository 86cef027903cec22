"""Evaluations into review items, decisions into warnings: the lifecycle on a real store."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.support.review import T0, audit_count, step
from vocabulary import ChangeKind, Direction, Level
from warning.review import decisions
from warning.review.lifecycle import InvalidMove
from warning.review.models import MaterialWarning, ReviewItem, WarningEvent
from warning.review.policy import AutoApproval, OverdueAction, ReviewPolicy
from warning.review.proposals import open_item
from warning.review.silences import create_silence
from warning.review.states import ItemState, WarningState
from warning.review.sweep import sweep
from warning.store import aware

CU = "copper"


def only_item(session: Session, material: str = CU) -> ReviewItem:
    (item,) = session.scalars(select(ReviewItem).where(ReviewItem.material_id == material))
    return item


def warning_of(session: Session, material: str = CU) -> MaterialWarning | None:
    return decisions.active_warning(session, material_id=material)


def test_a_yellow_proposal_waits_for_a_person_and_an_update_keeps_its_age(
    factory: sessionmaker[Session],
) -> None:
    with factory() as session, session.begin():
        first = step(session, {CU: ("yellow", "up")})
        item = only_item(session)
        assert first.created == [item.id] and first.approved_by_policy == []
        assert (item.state, item.kind, item.level) == (ItemState.PENDING, ChangeKind.NEW, "yellow")
        assert aware(item.deadline_at) == T0 + timedelta(hours=24)
        assert warning_of(session) is None

        second = step(session, {CU: ("red", "up")}, day=1)
        assert second.updated == [item.id] and second.created == []
        item = only_item(session)
        assert item.level is Level.RED and aware(item.created_at) == T0  # keeps its age
        assert aware(item.deadline_at) == T0 + timedelta(hours=2)  # red: 2 h from creation

        entries = audit_count(session)
        third = step(session, {CU: ("red", "up")}, day=2)
        assert third.updated == [] and audit_count(session) == entries  # nothing new to say
        assert only_item(session).reasons_en == "copper is red up"


def test_going_back_supersedes_the_open_item(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        step(session, {CU: ("yellow", "up")})
        outcome = step(session, {CU: ("normal", "")}, day=1)
        item = only_item(session)
        assert outcome.superseded == [item.id] and item.state is ItemState.SUPERSEDED
        with pytest.raises(InvalidMove, match="superseded already"):
            decisions.approve(session, item_id=item.id, actor="ana", comment=None, now=T0)


def test_blue_and_ends_approve_themselves_and_make_then_resolve_the_warning(
    factory: sessionmaker[Session],
) -> None:
    with factory() as session, session.begin():
        outcome = step(session, {CU: ("blue", "down")})
        assert outcome.approved_by_policy == outcome.created
        warning = warning_of(session)
        assert warning is not None and (warning.level, warning.direction) == ("blue", "down")

        step(session, {CU: ("yellow", "down")}, day=1)
        item = open_item(session, material_id=CU)
        assert item is not None and item.kind is ChangeKind.ESCALATION
        decisions.approve(session, item_id=item.id, actor="ana", comment="real", now=T0)
        assert warning_of(session).level is Level.YELLOW  # type: ignore[union-attr]

        end = step(session, {CU: ("normal", "")}, day=2)
        assert end.approved_by_policy == end.created
        assert warning_of(session) is None
        resolved = session.scalars(select(MaterialWarning)).one()
        assert resolved.state is WarningState.RESOLVED and resolved.resolved_at is not None
        kinds = [e.kind for e in session.scalars(select(WarningEvent).order_by(WarningEvent.id))]
        assert kinds == [ChangeKind.NEW, ChangeKind.ESCALATION, ChangeKind.END]


def test_a_rejected_proposal_is_not_asked_again_until_the_indicators_change(
    factory: sessionmaker[Session],
) -> None:
    with factory() as session, session.begin():
        step(session, {CU: ("yellow", "up")})
        item = only_item(session)
        with pytest.raises(InvalidMove, match="needs a reason"):
            decisions.reject(session, item_id=item.id, actor="ana", reason="  ", now=T0)
        decisions.reject(session, item_id=item.id, actor="ana", reason="roll-over jump", now=T0)
        assert warning_of(session) is None

        assert step(session, {CU: ("yellow", "up")}, day=1).created == []
        red = step(session, {CU: ("red", "up")}, day=2)
        assert len(red.created) == 1


def test_an_adjusted_approval_holds_until_the_indicators_say_something_else(
    factory: sessionmaker[Session],
) -> None:
    with factory() as session, session.begin():
        step(session, {CU: ("red", "up")})
        item = only_item(session)
        decisions.adjust(
            session,
            item_id=item.id,
            actor="ana",
            reason="one rule only",
            now=T0,
            level=Level.YELLOW,
            text_en="Copper tight; yellow while stocks are checked",
        )
        warning = warning_of(session)
        assert warning is not None and warning.level is Level.YELLOW
        assert warning.text_en.startswith("Copper tight")
        assert step(session, {CU: ("red", "up")}, day=1).created == []
        assert len(step(session, {CU: ("normal", "")}, day=2).approved_by_policy) == 1


def test_an_adjustment_must_change_something_and_keep_a_direction(
    factory: sessionmaker[Session],
) -> None:
    with factory() as session, session.begin():
        step(session, {CU: ("red", "up")})
        item = only_item(session)
        with pytest.raises(InvalidMove, match="must change"):
            decisions.adjust(session, item_id=item.id, actor="ana", reason="x", now=T0)
        with pytest.raises(InvalidMove, match="needs a direction"):
            decisions.adjust(
                session,
                item_id=item.id,
                actor="ana",
                reason="x",
                now=T0,
                level=Level.YELLOW,
                direction=Direction.NONE,
            )


def test_a_silenced_change_is_approved_by_policy_without_notifying(
    factory: sessionmaker[Session],
) -> None:
    with factory() as session, session.begin():
        create_silence(
            session,
            material_id=CU,
            ends_at=T0 + timedelta(days=3),
            comment="contract roll",
            actor="ana",
            now=T0 - timedelta(hours=1),
        )
        outcome = step(session, {CU: ("yellow", "up"), "zinc": ("yellow", "up")})
        copper, zinc = only_item(session), only_item(session, "zinc")
        assert copper.silenced and copper.state is ItemState.APPROVED
        assert outcome.approved_by_policy == [copper.id]
        assert zinc.state is ItemState.PENDING
        (event,) = session.scalars(select(WarningEvent))
        assert event.notify is False


def test_a_replay_and_missing_data_propose_nothing(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        step(session, {CU: ("blue", "up")}, day=5)
        assert step(session, {CU: ("red", "up")}, day=1).created == []  # an older date
        assert step(session, {CU: ("no_data", "")}, day=6).created == []
        warning = warning_of(session)
        assert warning is not None and warning.level is Level.BLUE  # no_data ends nothing


def test_invalid_moves_change_nothing(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        step(session, {CU: ("yellow", "up")})
        item_id = only_item(session).id
        decisions.approve(session, item_id=item_id, actor="ana", comment=None, now=T0)
    with factory() as session:
        entries, version = audit_count(session), only_item(session).version
        for move in (
            lambda: decisions.approve(session, item_id=item_id, actor="bo", comment=None, now=T0),
            lambda: decisions.reject(session, item_id=item_id, actor="bo", reason="no", now=T0),
            lambda: decisions.snooze(
                session,
                item_id=item_id,
                actor="bo",
                until=T0 + timedelta(hours=1),
                comment=None,
                now=T0,
            ),
        ):
            with pytest.raises(InvalidMove, match="approved already"):
                move()
        session.rollback()
    with factory() as session:
        assert audit_count(session) == entries and only_item(session).version == version


def test_a_snooze_must_be_in_the_future_and_wakes_when_it_runs_out(
    factory: sessionmaker[Session],
) -> None:
    with factory() as session, session.begin():
        step(session, {CU: ("yellow", "up")})
        item = only_item(session)
        with pytest.raises(InvalidMove, match="not in the future"):
            decisions.snooze(session, item_id=item.id, actor="ana", until=T0, comment=None, now=T0)
        decisions.snooze(
            session,
            item_id=item.id,
            actor="ana",
            until=T0 + timedelta(hours=3),
            comment="wait for Friday's stocks",
            now=T0,
        )
        assert sweep(session, policy=ReviewPolicy(), now=T0 + timedelta(hours=2)).woken == []
        woken = sweep(session, policy=ReviewPolicy(), now=T0 + timedelta(hours=3))
        assert woken.woken == [item.id] and only_item(session).state is ItemState.PENDING


@pytest.mark.parametrize(
    ("action", "state", "warned"),
    [
        (OverdueAction.ESCALATE, ItemState.PENDING, False),
        (OverdueAction.APPROVE, ItemState.APPROVED, True),
    ],
)
def test_an_overdue_item_is_escalated_or_approved_as_configured(
    factory: sessionmaker[Session], action: OverdueAction, state: ItemState, warned: bool
) -> None:
    policy = ReviewPolicy(overdue={"red": action, "yellow": action})
    with factory() as session, session.begin():
        step(session, {CU: ("red", "up"), "zinc": ("yellow", "down")}, policy=policy)
        early = sweep(session, policy=policy, now=T0 + timedelta(hours=1))
        assert early.escalated == early.approved == []
        late = sweep(session, policy=policy, now=T0 + timedelta(hours=2))
        copper = only_item(session)
        assert copper.overdue and copper.state is state
        assert (warning_of(session) is not None) is warned
        assert only_item(session, "zinc").overdue is False  # yellow has 24 h
        assert (late.escalated if action is OverdueAction.ESCALATE else late.approved) == [
            copper.id
        ]
        again = sweep(session, policy=policy, now=T0 + timedelta(hours=3))
        assert again.escalated == again.approved == []  # once


def test_the_policy_rules_are_configurable() -> None:
    policy = ReviewPolicy(auto_approve=(AutoApproval.parse("yellow:de_escalation"),))
    assert policy.approves_itself(Level.YELLOW, ChangeKind.DE_ESCALATION)
    assert not policy.approves_itself(Level.BLUE, ChangeKind.NEW)
    with pytest.raises(ValueError, match="kind must be one of"):
        AutoApproval.parse("red:sometimes")
