"""Reporting reminders: each contact of an enterprise that has not reported a form's open
period is reminded by email through the outbox, once in the days before the due day and once
after it.

A reminder is a delivery of kind ``reminder`` with the unique key
``report-reminder:<form>:<period>:<stage>:contact:<id>``, so a contact gets each stage once
per period however often (or on however many replicas) the job runs; the delivery worker
sends it like any message (retries, dead letters, replay). Contacts that are inactive,
unsubscribed or take no email are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts import EndpointKind
from alerts.reminder import ReminderStage, ReportReminder, reminder_payload
from warning import clock
from warning.context import ServiceContext
from warning.delivery.models import Delivery, DeliveryKind, DeliveryStatus
from warning.directory.models import Contact
from warning.jobs.reporting import reporting_forms
from warning.reporting.forms import Form
from warning.reporting.overdue import Missing, Outstanding, outstanding
from warning.store import transaction

REMIND_BEFORE: Final = timedelta(days=3)  # the due-soon reminder starts this long before
KEY_PREFIX: Final = "report-reminder"
KEYS_PER_QUERY: Final = 500  # keys looked up per statement (SQLite's bound parameters)


@dataclass(frozen=True)
class RemindersOutcome:
    queued: int = 0
    already: int = 0


def stage_on(form: Form, period: str, today: date) -> ReminderStage | None:
    """Which reminder ``today`` is for: due soon from three days before the due day to the
    day itself, overdue after it, none before."""
    due = form.due_date(period)
    if today > due:
        return ReminderStage.OVERDUE
    if today >= due - REMIND_BEFORE:
        return ReminderStage.DUE_SOON
    return None


def queue_reminders(context: ServiceContext, *, today: date) -> RemindersOutcome:
    """Queue the reminders ``today`` calls for, each at most once per contact, period and
    stage."""
    forms = reporting_forms(context)
    now = clock.now()
    queued = already = 0
    link = f"{context.settings.public_url}/report"
    with transaction(context.factory) as session:
        missing = [
            one
            for one in outstanding(session, forms=forms, today=today)
            if one.missing == Missing.NOT_REPORTED
        ]
        contacts: dict[int, list[Contact]] = {}
        for contact in session.scalars(
            select(Contact)
            .where(
                Contact.enterprise_id.in_({one.enterprise_id for one in missing}),
                Contact.active.is_(True),
                Contact.unsubscribed_at.is_(None),
            )
            .order_by(Contact.id)
        ):
            if "email" in contact.channels.split(","):
                contacts.setdefault(contact.enterprise_id, []).append(contact)
        due: list[tuple[str, Outstanding, Form, ReminderStage, Contact]] = []
        for one in missing:
            form = forms.get(one.form)
            assert form is not None
            stage = stage_on(form, one.period, today)
            if stage is None:
                continue
            for contact in contacts.get(one.enterprise_id, []):
                key = f"{KEY_PREFIX}:{form.id}:{one.period}:{stage}:contact:{contact.id}"
                due.append((key, one, form, stage, contact))
        taken = _queued_before(session, [key for key, *_ in due])
        for key, one, form, stage, contact in due:
            if key in taken:
                already += 1
                continue
            reminder = ReportReminder(
                stage=stage,
                form_zh=form.name_zh,
                form_en=form.name_en,
                period=one.period,
                due=one.due,
                enterprise=one.enterprise,
                contact=contact.name,
                link=link,
            )
            session.add(
                Delivery(
                    kind=DeliveryKind.REMINDER,
                    contact_id=contact.id,
                    address=contact.email,
                    channel=EndpointKind.EMAIL,
                    dedupe_key=key,
                    payload=reminder_payload(reminder),
                    status=DeliveryStatus.PENDING,
                    created_at=now,
                    send_after=now,
                    next_attempt_at=now,
                    attempts=0,
                )
            )
            taken.add(key)
            queued += 1
    return RemindersOutcome(queued, already)


def _queued_before(session: Session, keys: list[str]) -> set[str]:
    """Which of ``keys`` were queued before (only these: the keys of every reminder ever sent
    grow without end)."""
    taken: set[str] = set()
    for start in range(0, len(keys), KEYS_PER_QUERY):
        chosen = keys[start : start + KEYS_PER_QUERY]
        taken.update(
            session.scalars(select(Delivery.dedupe_key).where(Delivery.dedupe_key.in_(chosen)))
        )
    return taken
