"""Approved warnings to contacts: routing, grouping, silences, retries, 410, repeats, replay."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from tests.alerts.conftest import Receiver, Reply
from tests.delivery.conftest import (
    SECRET,
    MakeContext,
    Smtp,
    approve,
    load,
    two_contacts,
)
from vocabulary import Level
from warning import clock
from warning.clock import FrozenClock, use_clock
from warning.delivery.models import Delivery, DeliveryAttempt, DeliveryStatus, Notice
from warning.delivery.outbox import replay
from warning.delivery.routing import targets
from warning.directory.models import Contact, ContactEndpoint, Subscription
from warning.jobs.delivery import deliver_due
from warning.review.silences import create_silence
from warning.store import read_only, transaction


def statuses(context: object) -> dict[str, int]:
    with read_only(context.factory) as session:  # type: ignore[attr-defined]
        rows = session.execute(select(Delivery.status, func.count()).group_by(Delivery.status))
        return {str(status): n for status, n in rows}


def test_an_approved_warning_reaches_the_matching_contacts(
    make_context: MakeContext, smtp: Smtp, receiver: Receiver, tmp_path: Path
) -> None:
    context = make_context(smtp_url=f"smtp://127.0.0.1:{smtp.port}")
    load(context, two_contacts(tmp_path, webhook_url=f"{receiver.url}/hooks/a"))
    receiver.verify_with(SECRET)

    approve(context, {"copper": ("red", "up")})
    counts = deliver_due(context)

    assert counts == {"sent": 2, "retrying": 0, "dead": 0}
    ((_sender, to, _raw),) = smtp.mailbox.envelopes
    assert to == ["a@copper.example"]  # the zinc-only contact gets nothing
    message = smtp.mailbox.parsed()
    assert "红色" in message["Subject"] and "铜" in message["Subject"]
    (hook,) = receiver.received
    assert hook.signature_ok is True and hook.path == "/hooks/a"
    assert hook.json()["data"]["events"][0]["material"]["id"] == "copper"
    assert deliver_due(context) == {"sent": 0, "retrying": 0, "dead": 0}  # nothing twice


def test_alerts_within_the_window_go_in_one_message(
    make_context: MakeContext, smtp: Smtp, tmp_path: Path
) -> None:
    context = make_context(smtp_url=f"smtp://127.0.0.1:{smtp.port}", group_wait=300.0)
    load(context, two_contacts(tmp_path))
    moment = FrozenClock(clock.now())
    with use_clock(moment):
        approve(context, {"copper": ("yellow", "up")})
        moment.advance(seconds=60)
        approve(context, {"copper": ("red", "up")}, day=1)
        assert deliver_due(context)["sent"] == 0  # still gathering
        moment.advance(seconds=250)
        counts = deliver_due(context)
        with read_only(context.factory) as session:
            errors = session.scalars(select(Delivery.last_error)).all()
        assert counts["sent"] == 1, (counts, errors)
    text = smtp.mailbox.parsed().get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "红色" in text  # red hides copper's yellow in the same message (inhibition)
    with read_only(context.factory) as session:
        assert session.scalar(select(func.count()).select_from(Notice)) == 2
        assert session.scalar(select(func.count()).select_from(Delivery)) == 1


def test_a_silenced_material_and_a_resolution_notice_when_switched_off(
    make_context: MakeContext, smtp: Smtp, tmp_path: Path
) -> None:
    context = make_context(smtp_url=f"smtp://127.0.0.1:{smtp.port}", notify_resolved=False)
    load(context, two_contacts(tmp_path))
    with transaction(context.factory) as session:
        create_silence(
            session,
            material_id="zinc",
            ends_at=clock.now() + timedelta(days=1),
            comment="exchange holiday",
            actor="ana",
            now=clock.now(),
        )
    approve(context, {"zinc": ("red", "down"), "copper": ("yellow", "up")})
    approve(context, {"copper": ("normal", "")}, day=1)  # the end: not announced here
    assert deliver_due(context)["sent"] == 1
    assert [to for _f, to, _r in smtp.mailbox.envelopes] == [["a@copper.example"]]


def test_failures_are_retried_with_backoff_then_sent_with_the_same_id(
    make_context: MakeContext, receiver: Receiver, tmp_path: Path
) -> None:
    context = make_context()
    load(context, two_contacts(tmp_path, webhook_url=f"{receiver.url}/hooks/a"))
    with transaction(context.factory) as session:  # webhook only: no SMTP here
        for endpoint in session.scalars(select(ContactEndpoint)):
            endpoint.contact.channels = "webhook"
    receiver.serve(Reply(500, b"busy"), Reply(429, b"slow down", {"Retry-After": "600"}), Reply())
    moment = FrozenClock(clock.now())
    with use_clock(moment):
        approve(context, {"copper": ("red", "up")})
        assert deliver_due(context) == {"sent": 0, "retrying": 1, "dead": 0}
        with read_only(context.factory) as session:
            delivery = session.scalars(select(Delivery)).one()
            first_wait = delivery.next_attempt_at
        waited = (
            first_wait.replace(tzinfo=None) - moment.now().replace(tzinfo=None)
        ).total_seconds()
        assert 24.0 <= waited <= 36.0  # the first backoff: 30 s +-20 % jitter
        moment.advance(seconds=40)  # 30 s +-20 % has passed
        assert deliver_due(context)["retrying"] == 1
        with read_only(context.factory) as session:
            delivery = session.scalars(select(Delivery)).one()
        assert delivery.next_attempt_at.replace(tzinfo=None) >= (
            moment.now() + timedelta(seconds=599)
        ).replace(tzinfo=None)  # the receiver's Retry-After beats the 2-minute backoff
        moment.advance(seconds=601)
        assert deliver_due(context)["sent"] == 1
    ids = {hit.headers["webhook-id"] for hit in receiver.received}
    assert len(receiver.received) == 3 and len(ids) == 1  # one message, tried three times
    with read_only(context.factory) as session:
        outcomes = session.scalars(select(DeliveryAttempt.outcome).order_by(DeliveryAttempt.id))
        assert list(outcomes) == ["retryable", "retryable", "ok"]
    assert first_wait is not None


def test_a_410_disables_the_endpoint_and_a_replay_sends_again(
    make_context: MakeContext, receiver: Receiver, tmp_path: Path
) -> None:
    context = make_context()
    load(context, two_contacts(tmp_path, webhook_url=f"{receiver.url}/hooks/a"))
    with transaction(context.factory) as session:
        for endpoint in session.scalars(select(ContactEndpoint)):
            endpoint.contact.channels = "webhook"
    receiver.serve(Reply(410, b"gone"), Reply())
    approve(context, {"copper": ("red", "up")})
    assert deliver_due(context) == {"sent": 0, "retrying": 0, "dead": 1}
    with transaction(context.factory) as session:
        endpoint = session.scalars(select(ContactEndpoint)).one()
        assert endpoint.disabled_at is not None and "410" in (endpoint.disabled_reason or "")
        delivery_id = session.scalars(select(Delivery.id)).one()
        replay(session, delivery_id=delivery_id, actor="ana", now=clock.now())
    assert deliver_due(context)["sent"] == 1
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    approve(context, {"copper": ("yellow", "up")}, day=1)  # the endpoint is disabled now
    with read_only(context.factory) as session:
        assert session.scalar(select(func.count()).select_from(Delivery)) == 1


def test_an_active_red_is_repeated_after_the_set_days(
    make_context: MakeContext, smtp: Smtp, tmp_path: Path
) -> None:
    context = make_context(smtp_url=f"smtp://127.0.0.1:{smtp.port}", repeat_days=7)
    load(context, two_contacts(tmp_path))
    moment = FrozenClock(clock.now())
    with use_clock(moment):
        approve(context, {"copper": ("red", "up")})
        assert deliver_due(context)["sent"] == 1
        moment.advance(days=6)
        assert deliver_due(context)["sent"] == 0
        moment.advance(days=1, seconds=1)
        assert deliver_due(context)["sent"] == 1
        moment.advance(days=1)
        assert deliver_due(context)["sent"] == 0
    repeat = smtp.mailbox.parsed(1)
    first = smtp.mailbox.parsed(0)
    assert repeat["In-Reply-To"] == first["Message-ID"]  # the repeat threads on the warning


def test_the_dry_run_says_who_and_why(make_context: MakeContext, tmp_path: Path) -> None:
    context = make_context()
    load(context, two_contacts(tmp_path, webhook_url="http://127.0.0.1:9/hooks/a"))
    with read_only(context.factory) as session:
        red = targets(session, material_id="copper", level="red", direction="up")
        blue = targets(session, material_id="copper", level="blue", direction="up")
        zinc = targets(session, material_id="zinc", level="blue", direction="down")
    assert {(t.contact.email, str(t.channel)) for t in red} == {
        ("a@copper.example", "email"),
        ("a@copper.example", "webhook"),
    }
    assert blue == []  # A wants yellow and above
    assert [t.subscription.materials for t in zinc] == ["zinc"]


def test_operators_are_emailed_when_an_item_is_escalated(
    make_context: MakeContext, smtp: Smtp
) -> None:
    from tests.support.review import step
    from warning.jobs.pipeline import sweep_review_queue

    context = make_context(
        smtp_url=f"smtp://127.0.0.1:{smtp.port}", operator_emails=["desk@ministry.example"]
    )
    moment = FrozenClock(clock.now())
    with use_clock(moment):
        with transaction(context.factory) as session:
            step(session, {"copper": ("red", "up")}, now=clock.now())
        assert sweep_review_queue(context).escalated == []
        moment.advance(hours=2, seconds=1)
        assert len(sweep_review_queue(context).escalated) == 1
        assert len(sweep_review_queue(context).escalated) == 0  # once
        assert smtp.mailbox.envelopes == []  # queued in the outbox: the worker sends it
        assert deliver_due(context) == {"sent": 1, "retrying": 0, "dead": 0}
    ((_sender, to, _raw),) = smtp.mailbox.envelopes
    assert to == ["desk@ministry.example"]
    assert "铜 Copper" in smtp.mailbox.parsed().get_content()


def test_a_contact_matched_by_two_subscriptions_gets_one_message(
    make_context: MakeContext, smtp: Smtp, tmp_path: Path
) -> None:
    """Copper by name and the nonferrous sector both match a copper warning: one email."""
    context = make_context(smtp_url=f"smtp://127.0.0.1:{smtp.port}")
    load(context, two_contacts(tmp_path))
    with transaction(context.factory) as session:
        contact = session.scalars(select(Contact).where(Contact.email == "a@copper.example")).one()
        session.add(
            Subscription(
                contact_id=contact.id, materials="", sectors="nonferrous", min_level=Level.BLUE
            )
        )
    with read_only(context.factory) as session:
        assert len(targets(session, material_id="copper", level=Level.RED, direction="up")) == 2
    approve(context, {"copper": ("red", "up")})
    assert deliver_due(context) == {"sent": 1, "retrying": 0, "dead": 0}
    assert len(smtp.mailbox.envelopes) == 1
    with read_only(context.factory) as session:  # one delivery, and none left behind
        assert session.scalars(select(Delivery.status)).all() == [DeliveryStatus.SENT]
