"""Every move of an item leaves its audit entry: who, what, which item and material, the state
before and after, and why. Added for the mutants mutmut found surviving (docs/testing.md):
the entries of a snooze, a wake, an update and a supersession were never read back."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.support.review import T0, step
from vocabulary import ChangeKind, Level
from warning.audit import AuditEntry
from warning.review import decisions
from warning.review.lifecycle import InvalidMove
from warning.review.models import ReviewItem
from warning.review.policy import AutoApproval, OverdueAction, ReviewPolicy
from warning.review.queries import warning_events
from warning.review.silences import active_silences, create_silence, delete_silence
from warning.review.sweep import sweep
from warning.settings import load_settings
from warning.store import aware

CU = "copper"


def entry(session: Session, action: str) -> AuditEntry:
    (found,) = session.scalars(select(AuditEntry).where(AuditEntry.action == action))
    return found


def states(found: AuditEntry) -> tuple[Any, Any]:
    before = json.loads(found.before) if found.before else None
    after = json.loads(found.after) if found.after else None
    return (before or {}).get("state"), (after or {}).get("state")


def test_a_snooze_and_its_wake_are_audited(factory: sessionmaker[Session]) -> None:
    until = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    with factory() as session, session.begin():
        step(session, {CU: ("yellow", "up")})
        (item,) = session.scalars(select(ReviewItem))
        decisions.snooze(
            session, item_id=item.id, actor="ana", until=until, comment="Friday", now=T0
        )
        snoozed = entry(session, "snoozed")
        assert (snoozed.actor, snoozed.material_id, snoozed.review_item_id) == ("ana", CU, item.id)
        assert states(snoozed) == ("pending", "snoozed") and snoozed.comment == "Friday"
        assert json.loads(snoozed.after or "{}")["snoozed_until"] == until.isoformat()
        assert aware(snoozed.at) == T0
        sweep(session, policy=ReviewPolicy(), now=until)
        woken = entry(session, "woken")
        assert (woken.actor, woken.material_id, woken.review_item_id) == ("policy", CU, item.id)
        assert states(woken) == ("snoozed", "pending")
        assert woken.comment == "the snooze ran out" and aware(woken.at) == until


def test_a_snooze_until_a_time_in_another_zone_is_kept_as_that_instant_in_utc(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Asia/Kathmandu")  # a host zone that is neither UTC nor the desk's
    time.tzset()
    try:
        shanghai = timezone(timedelta(hours=8))
        until = datetime(2026, 12, 1, 9, 0, tzinfo=shanghai)  # 01:00 UTC
        with factory() as session, session.begin():
            step(session, {CU: ("yellow", "up")})
            (item,) = session.scalars(select(ReviewItem))
            decisions.snooze(
                session, item_id=item.id, actor="ana", until=until, comment=None, now=T0
            )
            after = json.loads(entry(session, "snoozed").after or "{}")
            assert after["snoozed_until"] == "2026-12-01T01:00:00+00:00"
        with factory() as session:
            (stored,) = session.scalars(select(ReviewItem))
            assert aware(stored.snoozed_until) == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_snooze_into_the_past_names_the_item(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        step(session, {CU: ("yellow", "up")})
        (item,) = session.scalars(select(ReviewItem))
        with pytest.raises(InvalidMove) as refused:
            decisions.snooze(session, item_id=item.id, actor="a", until=T0, comment=None, now=T0)
        assert refused.value.item_id == item.id


def test_an_update_and_a_supersession_are_audited(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        step(session, {CU: ("yellow", "up")})
        (item,) = session.scalars(select(ReviewItem))
        step(session, {CU: ("red", "up")}, day=1)
        updated = entry(session, "updated")
        assert (updated.actor, updated.material_id, updated.review_item_id) == (
            "system",
            CU,
            item.id,
        )
        before, after = json.loads(updated.before or "{}"), json.loads(updated.after or "{}")
        assert (before["level"], after["level"]) == ("yellow", "red")
        assert (before["kind"], after["kind"]) == ("new", "new")
        assert updated.comment == "evaluation as of 2026-12-01"
        step(session, {CU: ("normal", "")}, day=2)  # back to no warning
        superseded = entry(session, "superseded")
        assert (superseded.actor, superseded.material_id, superseded.review_item_id) == (
            "system",
            CU,
            item.id,
        )
        assert states(superseded) == ("pending", "superseded")
        assert superseded.comment == "the indicators went back to the warning's level"


def test_an_escalated_proposal_shortens_the_deadline_and_never_lengthens_it(
    factory: sessionmaker[Session],
) -> None:
    with factory() as session, session.begin():
        step(session, {CU: ("yellow", "up")})
        (item,) = session.scalars(select(ReviewItem))
        assert aware(item.deadline_at) == T0 + timedelta(hours=24)
        step(session, {CU: ("red", "up")}, day=0, now=T0 + timedelta(minutes=30))
        assert aware(item.deadline_at) == T0 + timedelta(hours=2)  # red's, from creation
        step(session, {CU: ("yellow", "up")}, day=0, now=T0 + timedelta(hours=1))
        assert aware(item.deadline_at) == T0 + timedelta(hours=2)  # kept


def test_an_escalation_is_audited(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        step(session, {CU: ("red", "up")})
        (item,) = session.scalars(select(ReviewItem))
        sweep(session, policy=ReviewPolicy(), now=T0 + timedelta(hours=2))
        escalated = entry(session, "escalated")
        assert (escalated.actor, escalated.review_item_id) == ("policy", item.id)
        assert json.loads(escalated.after or "{}")["overdue"] is True
        assert aware(item.escalated_at) == T0 + timedelta(hours=2)


def test_active_silences_are_those_in_force_newest_first(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():

        def silence(material: str | None, start: datetime, end: datetime) -> int:
            made = create_silence(
                session, material_id=material, ends_at=end, comment="x", actor="a", now=start
            )
            return made.id

        first = silence(CU, T0 - timedelta(hours=3), T0 + timedelta(hours=1))
        second = silence(None, T0 - timedelta(hours=2), T0 + timedelta(hours=2))
        ended = silence("zinc", T0 - timedelta(hours=2), T0)  # ends at T0: no longer in force
        later = silence("zinc", T0 + timedelta(hours=1), T0 + timedelta(hours=5))
        gone = silence("steel", T0 - timedelta(hours=2), T0 + timedelta(hours=5))
        delete_silence(session, silence_id=gone, actor="a", now=T0 - timedelta(hours=1))
        assert [s.id for s in active_silences(session, at=T0)] == [second, first]
        assert [s.id for s in active_silences(session, at=T0 - timedelta(hours=1))] == [
            ended,
            second,
            first,
        ]
        assert later not in [s.id for s in active_silences(session, at=T0)]
        deleted = entry(session, "silence_deleted")
        assert (deleted.actor, deleted.material_id, deleted.subject) == (
            "a",
            "steel",
            f"silence:{gone}",
        )


def test_a_warnings_events_oldest_first(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        step(session, {CU: ("blue", "up"), "zinc": ("blue", "down")})  # approve themselves
        step(session, {CU: ("normal", "")}, day=1)  # the end approves itself too
        warning_id = session.scalars(
            select(ReviewItem.warning_id).where(ReviewItem.material_id == CU)
        ).first()
        assert warning_id is not None
        events = warning_events(session, warning_id=warning_id)
        assert [(e.kind, e.level) for e in events] == [
            (ChangeKind.NEW, Level.BLUE),
            (ChangeKind.END, Level.NORMAL),
        ]


def test_the_policy_from_the_settings() -> None:
    settings = load_settings(
        review_auto_approve=["yellow:de_escalation", "*:end", "blue:*"],
        review_deadline_hours={"red": 1.5, "yellow": 12},
        review_overdue={"red": "approve", "yellow": "escalate"},
    )
    policy = ReviewPolicy.from_settings(settings)
    assert policy.auto_approve == (
        AutoApproval("yellow", "de_escalation"),
        AutoApproval("*", "end"),
        AutoApproval("blue", "*"),
    )
    assert policy.deadline_hours == {"red": 1.5, "yellow": 12.0}
    assert policy.overdue == {"red": OverdueAction.APPROVE, "yellow": OverdueAction.ESCALATE}
    assert policy.deadline(Level.RED, T0) == T0 + timedelta(hours=1.5)
    assert policy.deadline(Level.BLUE, T0) is None
    assert policy.overdue_action(Level.BLUE) is OverdueAction.ESCALATE


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("blue", "'blue': expected LEVEL:KIND, e.g. blue:* or *:end"),
        ("purple:*", "'purple:*': level must be one of blue, yellow, red, normal or *"),
        ("red:sometimes", "'red:sometimes': kind must be one of "),
    ],
)
def test_a_bad_auto_approval_rule_says_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(ValueError) as refused:
        AutoApproval.parse(text)
    assert str(refused.value).startswith(problem)
