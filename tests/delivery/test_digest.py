"""Digests and bulletins: previews; queued in the outbox once per period and recipient, sent
by the delivery worker with retries, dead letters and replay; escalations likewise."""

from __future__ import annotations

import email
import email.policy
import io
from datetime import date
from pathlib import Path

import docx
import pytest
from sqlalchemy import select

from alerts.digest import DigestKind
from tests.alerts.test_email_delivery import free_port
from tests.delivery.conftest import MakeContext, Smtp, approve, load, two_contacts
from tests.support.review import step
from warning import clock
from warning.clock import FrozenClock, use_clock
from warning.delivery.digests import period_of
from warning.delivery.models import Delivery, DeliveryKind, DeliveryStatus
from warning.delivery.outbox import replay
from warning.directory.models import Contact
from warning.jobs.delivery import deliver_due
from warning.jobs.digest import run_digest
from warning.jobs.escalations import notify_escalations
from warning.review.models import ReviewItem
from warning.store import read_only, transaction


@pytest.mark.parametrize(
    ("kind", "day", "period"),
    [
        (DigestKind.DAILY, date(2026, 12, 1), (date(2026, 12, 1), date(2026, 12, 1))),
        (DigestKind.WEEKLY, date(2026, 12, 1), (date(2026, 11, 23), date(2026, 11, 29))),
        (DigestKind.WEEKLY, date(2026, 11, 30), (date(2026, 11, 23), date(2026, 11, 29))),
        (DigestKind.MONTHLY, date(2026, 12, 1), (date(2026, 11, 1), date(2026, 11, 30))),
        (DigestKind.MONTHLY, date(2026, 3, 15), (date(2026, 2, 1), date(2026, 2, 28))),
    ],
)
def test_periods(kind: DigestKind, day: date, period: tuple[date, date]) -> None:
    assert period_of(kind, day) == period


def test_the_daily_digest_goes_once_to_each_subscribed_contact(
    make_context: MakeContext, smtp: Smtp, tmp_path: Path
) -> None:
    context = make_context(
        smtp_url=f"smtp://127.0.0.1:{smtp.port}", operator_emails=["desk@ministry.example"]
    )
    load(context, two_contacts(tmp_path))
    approve(context, {"copper": ("red", "up")})
    deliver_due(context)  # the red notice first
    smtp.mailbox.envelopes.clear()

    first = run_digest(context, kind=DigestKind.DAILY)
    again = run_digest(context, kind=DigestKind.DAILY)
    assert (first.queued, first.already) == (3, 0)
    assert (again.queued, again.already) == (0, 3)
    assert smtp.mailbox.envelopes == []  # queued: only the delivery worker sends
    assert deliver_due(context) == {"sent": 3, "retrying": 0, "dead": 0}

    recipients = sorted(to[0] for _f, to, _r in smtp.mailbox.envelopes)
    assert recipients == ["a@copper.example", "b@zinc.example", "desk@ministry.example"]
    english = next(
        email.message_from_bytes(raw, policy=email.policy.default)
        for _f, to, raw in smtp.mailbox.envelopes
        if to == ["b@zinc.example"]
    )
    html = english.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Copper" in html and "Active warnings" in html
    assert deliver_due(context)["sent"] == 0  # nothing twice


def test_a_weekly_digest_queued_on_two_days_of_one_week_goes_once(
    make_context: MakeContext, smtp: Smtp, tmp_path: Path
) -> None:
    context = make_context(smtp_url=f"smtp://127.0.0.1:{smtp.port}")
    load(context, two_contacts(tmp_path))
    monday = run_digest(context, kind=DigestKind.WEEKLY, day=date(2026, 11, 30))
    tuesday = run_digest(context, kind=DigestKind.WEEKLY, day=date(2026, 12, 1))
    next_week = run_digest(context, kind=DigestKind.WEEKLY, day=date(2026, 12, 7))
    assert (monday.queued, tuesday.queued, tuesday.already) == (2, 0, 2)
    assert next_week.queued == 2  # another period
    with read_only(context.factory) as session:
        keys = sorted(session.scalars(select(Delivery.dedupe_key)))
    assert keys == sorted(
        f"digest:weekly:{start}:contact:{contact}"
        for start in ("2026-11-23", "2026-11-30")
        for contact in (1, 2)
    )


def test_a_digest_that_fails_is_retried_then_dead_and_replayable(
    make_context: MakeContext, smtp: Smtp, tmp_path: Path
) -> None:
    closed = free_port()  # nothing listens: every attempt fails, worth retrying
    context = make_context(smtp_url=f"smtp://127.0.0.1:{closed}")
    load(context, two_contacts(tmp_path))
    run_digest(context, kind=DigestKind.DAILY)
    moment = FrozenClock(clock.now())
    with use_clock(moment):
        assert deliver_due(context) == {"sent": 0, "retrying": 2, "dead": 0}
        for _retry in range(5):  # the five retries of the policy, each after its delay
            moment.advance(seconds=6 * 3600 * 1.3)
            counts = deliver_due(context)
        assert counts == {"sent": 0, "retrying": 0, "dead": 2}
        with read_only(context.factory) as session:
            dead = session.scalars(select(Delivery).order_by(Delivery.id)).all()
            assert [d.attempts for d in dead] == [6, 6]
            assert all(d.kind == DeliveryKind.DIGEST for d in dead)
        served = make_context(smtp_url=f"smtp://127.0.0.1:{smtp.port}")
        with transaction(served.factory) as session:
            replay(session, delivery_id=dead[0].id, actor="otto", now=clock.now())
        assert deliver_due(served) == {"sent": 1, "retrying": 0, "dead": 0}
    ((_f, to, _raw),) = smtp.mailbox.envelopes
    assert to == ["a@copper.example"]


def test_a_recipient_no_mail_can_carry_fails_alone(
    make_context: MakeContext, smtp: Smtp, tmp_path: Path
) -> None:
    context = make_context(smtp_url=f"smtp://127.0.0.1:{smtp.port}")
    load(context, two_contacts(tmp_path))
    with transaction(context.factory) as session:  # as an older import could have stored it
        bad = session.get(Contact, 1)
        assert bad is not None
        bad.name = "Evil\r\nBcc: victim@evil.example"
    run_digest(context, kind=DigestKind.DAILY)

    assert deliver_due(context) == {"sent": 1, "retrying": 0, "dead": 1}

    assert [to for _f, to, _r in smtp.mailbox.envelopes] == [["b@zinc.example"]]
    with read_only(context.factory) as session:
        dead = session.scalar(select(Delivery).where(Delivery.status == DeliveryStatus.DEAD))
        assert dead is not None and dead.contact_id == 1
        assert "cannot build the digest email" in (dead.last_error or "")


def test_escalations_go_through_the_outbox(
    make_context: MakeContext, smtp: Smtp, tmp_path: Path
) -> None:
    context = make_context(
        smtp_url=f"smtp://127.0.0.1:{smtp.port}",
        operator_emails=["desk@ministry.example", "chief@ministry.example"],
    )
    with transaction(context.factory) as session:
        step(session, {"copper": ("red", "up")})
        item_id = session.scalar(select(ReviewItem.id))
    assert item_id is not None

    assert notify_escalations(context, [item_id]) == 2
    assert smtp.mailbox.envelopes == []
    assert deliver_due(context) == {"sent": 2, "retrying": 0, "dead": 0}

    message = smtp.mailbox.parsed()
    assert "超过审核时限" in str(message["Subject"])
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"#{item_id} 铜 Copper: 红色 上行 / Red up (" in text  # words, not codes
    assert "red up" not in text
    with read_only(context.factory) as session:
        kinds = session.scalars(select(Delivery.kind)).all()
    assert kinds == [DeliveryKind.ESCALATION, DeliveryKind.ESCALATION]


def test_previews_of_a_digest_and_a_bulletin(make_context: MakeContext, tmp_path: Path) -> None:
    context = make_context()
    approve(context, {"zinc": ("yellow", "down")})
    html, bulletin = tmp_path / "daily.html", tmp_path / "weekly.docx"
    run_digest(context, kind=DigestKind.DAILY, preview=html)
    run_digest(context, kind=DigestKind.WEEKLY, preview=bulletin)
    text = html.read_text(encoding="utf-8")
    assert "锌" in text and "<script" not in text
    document = docx.Document(io.BytesIO(bulletin.read_bytes()))
    assert any("周报" in p.text for p in document.paragraphs)
