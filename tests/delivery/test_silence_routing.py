"""Silences at delivery's one mute point: a silence for one enterprise leaves out only that
enterprise's contacts (the others still get the notice, and the change is not muted); a
silence for everyone that starts after the approval still mutes the event while in force;
a deleted silence mutes nothing. Two enterprises, each with one contact watching copper."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.delivery.conftest import CODES, MakeContext, approve, load, write_directory
from warning import clock
from warning.context import ServiceContext
from warning.delivery.models import Delivery
from warning.delivery.policy import DeliveryPolicy
from warning.delivery.routing import route_pending
from warning.directory.models import Contact
from warning.review.models import WarningEvent
from warning.review.silences import create_silence, delete_silence
from warning.store import read_only, transaction

POLICY = DeliveryPolicy(group_wait_s=0.0, lease_s=300.0)
FIRM_A, FIRM_B = CODES
BOTH = ["a@a-copper.example", "b@b-copper.example"]


def copper_watchers(context: ServiceContext, tmp_path: Path) -> None:
    load(
        context,
        write_directory(
            tmp_path / "directory.csv",
            f"甲铜业,{FIRM_A},false,张伟,a@a-copper.example,zh,,,copper,blue,nonferrous,email",
            f"乙铜业,{FIRM_B},false,李娜,b@b-copper.example,zh,,,copper,blue,nonferrous,email",
        ),
    )


def silence(context: ServiceContext, **matchers: Any) -> int:
    with transaction(context.factory) as session:
        made = create_silence(
            session,
            ends_at=clock.now() + timedelta(days=1),
            comment="年度检修",
            actor="ana",
            now=clock.now(),
            **matchers,
        )
        return made.id


def routed_to(context: ServiceContext) -> list[str]:
    """Route what is approved now; the addresses of the deliveries made."""
    with transaction(context.factory) as session:
        outcome = route_pending(session, policy=POLICY, now=clock.now())
        emails = session.scalars(
            select(Contact.email)
            .join(Delivery, Delivery.contact_id == Contact.id)
            .where(Delivery.id.in_(outcome.deliveries))
            .order_by(Contact.email)
        )
        return list(emails)


@pytest.mark.parametrize(
    ("matchers", "firm_a_gets_it"),
    [
        ({}, False),  # every change, for this enterprise
        ({"material_id": "copper"}, False),
        ({"material_id": "zinc"}, True),
        ({"sector": "nonferrous"}, False),
        ({"sector": "ferrous"}, True),
        ({"level": "red", "direction": "up"}, False),
        ({"level": "yellow"}, True),  # the level matches exactly: a red is not a yellow
        ({"direction": "down"}, True),
    ],
)
def test_a_silence_for_one_enterprise_mutes_only_its_contacts(
    make_context: MakeContext, tmp_path: Path, matchers: dict[str, str], firm_a_gets_it: bool
) -> None:
    context = make_context()
    copper_watchers(context, tmp_path)
    silence(context, enterprise=FIRM_A, **matchers)
    approve(context, {"copper": ("red", "up")})
    assert routed_to(context) == (BOTH if firm_a_gets_it else ["b@b-copper.example"])
    with read_only(context.factory) as session:  # the change itself is not muted
        assert session.scalars(select(WarningEvent.notify)).all() == [True]


def test_an_enterprise_silence_ended_before_routing_mutes_nothing(
    make_context: MakeContext, tmp_path: Path
) -> None:
    context = make_context()
    copper_watchers(context, tmp_path)
    made = silence(context, enterprise=FIRM_A)
    approve(context, {"copper": ("red", "up")})
    with transaction(context.factory) as session:
        delete_silence(session, silence_id=made, actor="ana", now=clock.now())
    assert routed_to(context) == BOTH


def test_an_enterprise_silence_starting_later_does_not_mute_now(
    make_context: MakeContext, tmp_path: Path
) -> None:
    context = make_context()
    copper_watchers(context, tmp_path)
    silence(context, enterprise=FIRM_A, starts_at=clock.now() + timedelta(hours=1))
    approve(context, {"copper": ("red", "up")})
    assert routed_to(context) == BOTH


@pytest.mark.parametrize(
    ("matchers", "muted"),
    [
        ({"sector": "nonferrous"}, True),
        ({"material_id": "copper", "level": "red"}, True),
        ({"level": "yellow"}, False),
        ({"direction": "down"}, False),
        ({"material_id": "zinc"}, False),
    ],
)
def test_a_silence_for_everyone_made_after_the_approval_mutes_the_event_while_in_force(
    make_context: MakeContext, tmp_path: Path, matchers: dict[str, str], muted: bool
) -> None:
    context = make_context()
    copper_watchers(context, tmp_path)
    approve(context, {"copper": ("red", "up")})  # approved by an analyst: notify
    silence(context, **matchers)
    assert routed_to(context) == ([] if muted else BOTH)
