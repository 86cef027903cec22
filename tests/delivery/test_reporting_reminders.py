"""Reporting reminders go through the outbox: once per contact, period and stage (before the
due day, after it), only to enterprises that have not reported, in the contact's language."""

from __future__ import annotations

import email
import email.policy
from datetime import date
from pathlib import Path

from sqlalchemy import select

from tests.delivery.conftest import CODES, MakeContext, Smtp, load, two_contacts
from warning import clock
from warning.delivery.models import Delivery, DeliveryKind
from warning.directory.models import Enterprise
from warning.jobs.delivery import deliver_due
from warning.jobs.reminders import queue_reminders
from warning.jobs.reporting import reporting_forms
from warning.reporting.checks import Entry
from warning.reporting.models import Channel
from warning.reporting.service import submit
from warning.store import read_only, transaction


def test_a_reminder_goes_once_per_contact_period_and_stage(
    make_context: MakeContext, smtp: Smtp, tmp_path: Path
) -> None:
    context = make_context(smtp_url=f"smtp://127.0.0.1:{smtp.port}")
    load(context, two_contacts(tmp_path))  # two nonferrous enterprises, one contact each
    # November is due on 2026-12-10: the due-soon reminder starts three days before
    assert queue_reminders(context, today=date(2026, 12, 6)).queued == 0
    first = queue_reminders(context, today=date(2026, 12, 7))
    again = queue_reminders(context, today=date(2026, 12, 10))
    assert (first.queued, first.already) == (2, 0)
    assert (again.queued, again.already) == (0, 2)

    with transaction(context.factory) as session:  # the first enterprise reports
        reporting = session.scalar(select(Enterprise).where(Enterprise.credit_code == CODES[0]))
        assert reporting is not None
        submit(
            session,
            forms=reporting_forms(context),
            enterprise=reporting,
            form_id="nonferrous",
            period="2026-11",
            entries={"copper_output": Entry(10.0)},
            actor="test",
            channel=Channel.API,
            today=date(2026, 12, 11),
            now=clock.now(),
        )
    overdue = queue_reminders(context, today=date(2026, 12, 11))
    overdue_again = queue_reminders(context, today=date(2026, 12, 12))
    assert (overdue.queued, overdue_again.queued) == (1, 0)  # the one that has not reported

    with read_only(context.factory) as session:
        keys = session.scalars(
            select(Delivery.dedupe_key)
            .where(Delivery.kind == DeliveryKind.REMINDER)
            .order_by(Delivery.id)
        ).all()
    assert [key.rsplit(":", 2)[0] for key in keys] == [
        "report-reminder:nonferrous:2026-11:due_soon",
        "report-reminder:nonferrous:2026-11:due_soon",
        "report-reminder:nonferrous:2026-11:overdue",
    ]
    assert smtp.mailbox.envelopes == []  # queued: only the delivery worker sends
    assert deliver_due(context) == {"sent": 3, "retrying": 0, "dead": 0}
    subjects = sorted(
        (to[0], str(email.message_from_bytes(raw, policy=email.policy.default)["Subject"]))
        for _f, to, raw in smtp.mailbox.envelopes
    )
    assert subjects == [
        (
            "a@copper.example",
            "【数据报送提醒】有色金属行业月度调度表（2026-11）请于2026-12-10前报送",
        ),
        (
            "b@zinc.example",
            "[Reporting overdue] Nonferrous metals, monthly (2026-11) was due on 2026-12-10",
        ),
        (
            "b@zinc.example",
            "[Reporting reminder] Nonferrous metals, monthly (2026-11) is due by 2026-12-10",
        ),
    ]
    assert deliver_due(context)["sent"] == 0  # nothing twice
