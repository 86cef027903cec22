"""Silences by matcher (issue 20): each matcher alone and in combination decides whether a
proposed change is silenced; a silence is in force from its start (included) until its end
(excluded); an end of warning is matched by the level of the warning it ends; a silence for
one enterprise never approves a change for everyone; what a silence may not be.

Expected values are written out by hand (copper and zinc are non-ferrous, iron ore ferrous,
methanol and soda ash chemicals: the bundled catalog), never computed with the matcher."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.support.review import T0, step
from warning.audit import AuditEntry
from warning.directory.models import Enterprise
from warning.errors import NotFound
from warning.review import decisions
from warning.review.lifecycle import InvalidMove
from warning.review.models import ReviewItem, Silence, WarningEvent
from warning.review.silences import (
    Change,
    SilenceInvalid,
    SilenceState,
    create_silence,
    delete_silence,
    silence_for,
    silenced_enterprises,
    state_of,
)
from warning.review.states import ItemState

CREDIT_CODE = "91350100M000100Y43"
COPPER_RED_UP = {"material_id": "copper", "level": "red", "direction": "up"}
DAY_1, DAY_2 = T0 + timedelta(days=1), T0 + timedelta(days=2)
MADE = T0 - timedelta(hours=6)  # when the silences below are made
ENDS = T0 + timedelta(days=3)


def silence(session: Session, *, at: Any = MADE, ends: Any = ENDS, **matchers: Any) -> Silence:
    return create_silence(
        session, ends_at=ends, comment="contract roll", actor="ana", now=at, **matchers
    )


def enterprise(session: Session) -> Enterprise:
    firm = Enterprise(
        name="演示铜业有限公司", credit_code=CREDIT_CODE, sector="nonferrous", created_at=T0,
        updated_at=T0,
    )  # fmt: skip
    session.add(firm)
    session.flush()
    return firm


def only_item(session: Session, material: str) -> ReviewItem:
    (item,) = session.scalars(select(ReviewItem).where(ReviewItem.material_id == material))
    return item


@pytest.mark.parametrize(
    ("matchers", "proposed", "silenced"),
    [
        ({}, ("copper", "yellow", "up"), True),  # no matcher: every change
        ({"material_id": "copper"}, ("copper", "yellow", "up"), True),
        ({"material_id": "copper"}, ("zinc", "yellow", "up"), False),
        ({"sector": "nonferrous"}, ("zinc", "red", "down"), True),
        ({"sector": "nonferrous"}, ("iron_ore", "red", "down"), False),
        ({"level": "yellow"}, ("copper", "yellow", "down"), True),
        ({"level": "yellow"}, ("copper", "red", "up"), False),  # exactly: not above it
        ({"level": "red"}, ("copper", "yellow", "up"), False),  # nor below it
        ({"level": "blue"}, ("zinc", "blue", "up"), True),
        ({"direction": "down"}, ("soda_ash", "yellow", "down"), True),
        ({"direction": "down"}, ("soda_ash", "yellow", "up"), False),
        (COPPER_RED_UP, ("copper", "red", "up"), True),
        (COPPER_RED_UP, ("copper", "red", "down"), False),
        (COPPER_RED_UP, ("copper", "yellow", "up"), False),
        (COPPER_RED_UP, ("zinc", "red", "up"), False),
        ({"sector": "chemicals", "direction": "up"}, ("methanol", "yellow", "up"), True),
        ({"sector": "chemicals", "direction": "up"}, ("methanol", "yellow", "down"), False),
        ({"sector": "chemicals", "direction": "up"}, ("copper", "yellow", "up"), False),
        ({"sector": "ferrous", "level": "yellow"}, ("iron_ore", "yellow", "down"), True),
        ({"sector": "ferrous", "level": "yellow"}, ("iron_ore", "blue", "down"), False),
    ],
)  # fmt: skip
def test_each_matcher_alone_and_together_decides_whether_a_change_is_silenced(
    factory: sessionmaker[Session],
    matchers: dict[str, str],
    proposed: tuple[str, str, str],
    silenced: bool,
) -> None:
    material, level, direction = proposed
    with factory() as session, session.begin():
        silence(session, **matchers)
        step(session, {material: (level, direction)})
        item = only_item(session, material)
        events = session.scalars(select(WarningEvent)).all()
    assert item.silenced is silenced
    if silenced:  # approved by policy, and the warning event says not to notify
        assert item.state is ItemState.APPROVED and item.decided_by == "policy"
        assert [event.notify for event in events] == [False]
    else:  # a blue one approves itself by the default policy, and notifies
        assert [event.notify for event in events] == ([True] if level == "blue" else [])


STARTS = T0 + timedelta(hours=1)
STOPS = T0 + timedelta(hours=3)
TICK = timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("at", "muting"),
    [
        (T0, False),  # made now, starting in an hour: not yet
        (STARTS - TICK, False),
        (STARTS, True),  # exactly at its start
        (STOPS - TICK, True),
        (STOPS, False),  # exactly at its end: over
        (STOPS + timedelta(days=1), False),
    ],
)
def test_a_silence_is_in_force_from_its_start_until_just_before_its_end(
    factory: sessionmaker[Session], at: Any, muting: bool
) -> None:
    copper = Change("copper", "nonferrous", "red", "up")
    with factory() as session, session.begin():
        made = silence(session, at=T0, starts_at=STARTS, ends=STOPS, material_id="copper")
        assert (silence_for(session, change=copper, at=at) is made) is muting
        assert (state_of(made, now=at) is SilenceState.ACTIVE) is muting


def test_a_silence_starting_later_mutes_only_the_changes_proposed_from_its_start(
    factory: sessionmaker[Session],
) -> None:
    with factory() as session, session.begin():
        silence(session, at=T0 - timedelta(hours=1), starts_at=T0 + timedelta(days=1))
        step(session, {"copper": ("yellow", "up")})  # at T0: before the start
        step(session, {"zinc": ("yellow", "up")}, day=1)  # at T0 + 1 day: exactly at it
        copper, zinc = only_item(session, "copper"), only_item(session, "zinc")
    assert copper.silenced is False and copper.state is ItemState.PENDING
    assert zinc.silenced is True and zinc.state is ItemState.APPROVED


@pytest.mark.parametrize(("level", "silenced"), [("yellow", True), ("red", False)])
def test_an_end_of_warning_is_matched_by_the_level_of_the_warning_it_ends(
    factory: sessionmaker[Session], level: str, silenced: bool
) -> None:
    with factory() as session, session.begin():
        step(session, {"copper": ("yellow", "up")})
        first = only_item(session, "copper")
        decisions.approve(session, item_id=first.id, actor="ana", comment=None, now=T0)
        silence(session, at=T0, level=level, direction="up")
        step(session, {"copper": ("normal", "")}, day=1)
        end = session.scalars(
            select(ReviewItem).where(ReviewItem.id != first.id, ReviewItem.material_id == "copper")
        ).one()
        notified = session.scalars(select(WarningEvent.notify).order_by(WarningEvent.id)).all()
    assert end.silenced is silenced and end.state is ItemState.APPROVED  # ends approve anyway
    assert notified == [True, not silenced]


def test_a_silence_for_one_enterprise_leaves_the_change_to_review(
    factory: sessionmaker[Session],
) -> None:
    with factory() as session, session.begin():
        firm = enterprise(session)
        silence(session, material_id="copper", enterprise=CREDIT_CODE)
        step(session, {"copper": ("yellow", "up")})
        item = only_item(session, "copper")
        copper = Change("copper", "nonferrous", "yellow", "up")
        assert item.silenced is False and item.state is ItemState.PENDING
        assert silence_for(session, change=copper, at=T0) is None
        assert silenced_enterprises(session, change=copper, at=T0) == {firm.id}
        zinc = Change("zinc", "nonferrous", "yellow", "up")
        assert silenced_enterprises(session, change=zinc, at=T0) == set()


def test_a_deleted_silence_mutes_nothing_and_one_not_started_never_will(
    factory: sessionmaker[Session],
) -> None:
    copper = Change("copper", "nonferrous", "yellow", "up")
    with factory() as session, session.begin():
        firm = enterprise(session)
        now_on = silence(session, sector="nonferrous")
        later = silence(session, starts_at=T0 + timedelta(hours=1), material_id="copper")
        for_firm = silence(session, material_id="copper", enterprise=CREDIT_CODE)
        assert silence_for(session, change=copper, at=T0) is now_on
        assert silenced_enterprises(session, change=copper, at=T0) == {firm.id}
        for made in (now_on, later, for_firm):
            delete_silence(session, silence_id=made.id, actor="ana", now=T0 - timedelta(hours=1))
        for moment in (T0, T0 + timedelta(hours=2)):
            assert silence_for(session, change=copper, at=moment) is None
            assert silenced_enterprises(session, change=copper, at=moment) == set()
        assert state_of(later, now=T0) is SilenceState.EXPIRED
        step(session, {"copper": ("yellow", "up")})
        assert only_item(session, "copper").silenced is False


def test_the_audit_keeps_the_matchers_when_a_silence_is_made_and_ended(
    factory: sessionmaker[Session],
) -> None:
    with factory() as session, session.begin():
        enterprise(session)
        made = silence(
            session,
            starts_at=T0,
            sector="nonferrous",
            level="red",
            direction="down",
            enterprise=CREDIT_CODE,
        )
        delete_silence(session, silence_id=made.id, actor="bo", now=T0 + timedelta(hours=1))
        about = select(AuditEntry).where(AuditEntry.subject == f"silence:{made.id}")
        entries = {entry.action: entry for entry in session.scalars(about)}
    matchers = {
        "material_id": "*",
        "sector": "nonferrous",
        "level": "red",
        "direction": "down",
        "enterprise": CREDIT_CODE,
        "enterprise_name": "演示铜业有限公司",
    }
    created, deleted = entries["silence_created"], entries["silence_deleted"]
    assert created.actor == "ana" and created.comment == "contract roll"
    assert json.loads(created.after or "") == {
        **matchers,
        "starts_at": "2026-11-30T09:00:00+00:00",
        "ends_at": "2026-12-03T09:00:00+00:00",
    }
    assert deleted.actor == "bo"
    assert json.loads(deleted.before or "") == {"ends_at": "2026-12-03T09:00:00+00:00"}
    assert json.loads(deleted.after or "") == {
        **matchers,
        "deleted_at": "2026-11-30T10:00:00+00:00",
    }


def test_a_start_in_the_past_counts_from_now(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        made = silence(session, at=T0, starts_at=T0 - timedelta(days=2))
        assert made.starts_at.replace(tzinfo=None) == T0.replace(tzinfo=None)


@pytest.mark.parametrize(
    ("asked", "refusal", "says"),
    [
        ({"ends": T0 - TICK}, InvalidMove, "must end in the future"),
        ({"ends": T0}, InvalidMove, "must end in the future"),  # ending now is no silence
        ({"starts_at": DAY_2, "ends": DAY_1}, SilenceInvalid, "end after it starts"),
        ({"starts_at": DAY_1, "ends": DAY_1}, SilenceInvalid, "end after it starts"),
        ({"material_id": "gold"}, NotFound, "no material 'gold'"),
        ({"sector": "precious"}, NotFound, "no sector 'precious'"),
        ({"enterprise": "91440300708461136T"}, NotFound, "credit code '91440300708461136T'"),
        ({"material_id": "copper", "sector": "ferrous"}, SilenceInvalid, "would match nothing"),
        ({"level": "normal"}, SilenceInvalid, "level 'normal'"),
        ({"level": "no_data"}, SilenceInvalid, "level 'no_data'"),
        ({"direction": "sideways"}, SilenceInvalid, "direction 'sideways'"),
        ({"ends": datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1)))}, SilenceInvalid, "range"),
    ],
)  # fmt: skip
def test_what_a_silence_may_not_be_is_refused_and_nothing_is_kept(
    factory: sessionmaker[Session], asked: dict[str, Any], refusal: type[Exception], says: str
) -> None:
    with factory() as session, session.begin():
        enterprise(session)
        with pytest.raises(refusal, match=says):
            silence(session, at=T0, **asked)
        assert session.scalars(select(Silence)).all() == []
        assert session.scalars(select(AuditEntry)).all() == []


def test_a_silence_that_is_over_cannot_be_ended_again(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        made = silence(session, at=T0, ends=T0 + timedelta(hours=1))
        with pytest.raises(InvalidMove, match="ended already"):
            delete_silence(session, silence_id=made.id, actor="ana", now=T0 + timedelta(hours=1))
        assert made.deleted_at is None
