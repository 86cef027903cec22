"""Who a notice goes to: each part of a subscription (materials, sectors, lowest level,
directions) decides on its own, at its exact boundary; and an active red is repeated exactly
``repeat_days`` after its last notice, not a moment earlier."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, select

from tests.delivery.conftest import MakeContext, Smtp, approve, load, two_contacts
from vocabulary import Direction, Level
from warning import clock
from warning.clock import FrozenClock, use_clock
from warning.delivery.routing import targets
from warning.directory.models import Contact, Subscription
from warning.jobs.delivery import deliver_due
from warning.store import read_only, transaction


@pytest.mark.parametrize(
    ("materials", "sectors", "min_level", "directions", "level", "direction", "matched"),
    [
        ("copper", "", Level.YELLOW, "up,down", Level.YELLOW, "up", True),  # at the lowest level
        ("copper", "", Level.YELLOW, "up,down", Level.BLUE, "up", False),  # one below it
        ("copper", "", Level.YELLOW, "up,down", Level.RED, "down", True),
        ("copper", "", Level.BLUE, "up", Level.RED, "down", False),  # not this direction
        ("copper", "", Level.BLUE, "down", Level.RED, "down", True),
        ("zinc", "", Level.BLUE, "up,down", Level.RED, "up", False),  # another material
        ("zinc, copper", "", Level.BLUE, "up,down", Level.RED, "up", True),  # spaces in the list
        ("*", "", Level.BLUE, "up,down", Level.RED, "up", True),  # every material
        ("", "nonferrous", Level.BLUE, "up,down", Level.RED, "up", True),  # by its sector
        ("", "ferrous", Level.BLUE, "up,down", Level.RED, "up", False),  # another sector
        ("", "", Level.BLUE, "up,down", Level.RED, "up", False),  # nothing named
        ("copper", "", Level.RED, "up,down", Level.RED, "up", True),
        ("copper", "", Level.RED, "up,down", Level.YELLOW, "up", False),
    ],
)
def test_each_part_of_a_subscription_decides(
    make_context: MakeContext,
    tmp_path: Path,
    materials: str,
    sectors: str,
    min_level: Level,
    directions: str,
    level: Level,
    direction: str,
    matched: bool,
) -> None:
    context = make_context()
    load(context, two_contacts(tmp_path))
    with transaction(context.factory) as session:
        session.execute(delete(Subscription))
        contact = session.scalars(select(Contact).where(Contact.email == "a@copper.example")).one()
        session.add(
            Subscription(
                contact_id=contact.id,
                materials=materials,
                sectors=sectors,
                min_level=min_level,
                directions=directions,
            )
        )
    with read_only(context.factory) as session:
        found = targets(session, material_id="copper", level=level, direction=Direction(direction))
    assert [t.contact.email for t in found] == (["a@copper.example"] if matched else [])


def test_an_active_red_is_repeated_exactly_repeat_days_after_its_last_notice(
    make_context: MakeContext, smtp: Smtp, tmp_path: Path
) -> None:
    context = make_context(smtp_url=f"smtp://127.0.0.1:{smtp.port}", repeat_days=7)
    load(context, two_contacts(tmp_path))
    moment = FrozenClock(clock.now())
    with use_clock(moment):
        approve(context, {"copper": ("red", "up")})
        assert deliver_due(context)["sent"] == 1  # the notice is routed now
        moment.advance(days=7, microseconds=-1)
        assert deliver_due(context)["sent"] == 0  # a microsecond early
        moment.advance(microseconds=1)
        assert deliver_due(context)["sent"] == 1  # at the instant
        moment.advance(days=7, microseconds=-1)
        assert deliver_due(context)["sent"] == 0  # counted from the repeat, not the first
    assert len(smtp.mailbox.envelopes) == 2
