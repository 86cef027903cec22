"""Deliveries that are whole emails rather than warning notices: digests, escalations and
reporting reminders.

The worker builds each from its delivery row (a digest from its kind and day, once per round
for all its recipients; an escalation from the list it was queued with) and sends it through
the email channel's SMTP client. A delivery that cannot be built (a recipient's name that no
mail header can carry, a contact gone) fails alone, permanently, with the reason: it is
dead-lettered and replayable like any other, and the rest of the batch goes on.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from alerts import DeliveryResult, MailSettings, Outcome
from alerts.digest import Digest, DigestKind, digest_email
from alerts.model import Language
from alerts.reminder import reminder_email, reminder_of
from alerts.smtp import SmtpPool
from warning import clock
from warning.context import ServiceContext
from warning.delivery.models import Delivery, DeliveryKind
from warning.directory.models import Contact
from warning.jobs.digest import digest_of, digest_recipient


@dataclass(frozen=True)
class Prepared:
    """A built email for a delivery, or why it could not be built."""

    delivery_id: int
    address: str
    email: EmailMessage | None
    error: str | None = None


def prepare(
    session: Session, context: ServiceContext, ids: Sequence[int], settings: MailSettings
) -> list[Prepared]:
    """The emails of the digest and escalation deliveries ``ids``."""
    rows = session.scalars(
        select(Delivery).where(
            Delivery.id.in_(ids),
            Delivery.kind.in_(
                [DeliveryKind.DIGEST, DeliveryKind.ESCALATION, DeliveryKind.REMINDER]
            ),
        )
    ).all()
    contact_ids = {row.contact_id for row in rows if row.contact_id is not None}
    contacts = {
        c.id: c
        for c in session.scalars(
            select(Contact)
            .where(Contact.id.in_(contact_ids))
            .options(joinedload(Contact.enterprise))
        )
    }
    digests: dict[tuple[str, str], Digest] = {}
    built = []
    for row in sorted(rows, key=lambda r: r.id):
        contact = contacts.get(row.contact_id) if row.contact_id is not None else None
        address = contact.email if contact is not None else (row.address or "")
        try:
            payload = json.loads(row.payload or "{}")
            if row.kind == DeliveryKind.DIGEST:
                key = (payload["kind"], payload["day"])
                if key not in digests:
                    digests[key] = digest_of(
                        session,
                        context,
                        kind=DigestKind(payload["kind"]),
                        day=date.fromisoformat(payload["day"]),
                    )
                recipient = digest_recipient(context, contact, address)
                email = digest_email(
                    digests[key],
                    recipient,
                    settings=settings,
                    now=clock.now(),
                    desk_copy=contact is None,  # an operator's address: the desk's copy
                )
            elif row.kind == DeliveryKind.REMINDER:
                if contact is None:
                    raise LookupError(f"contact {row.contact_id} is gone")
                email = reminder_email(
                    reminder_of(payload),
                    language=Language(contact.language),
                    address=address,
                    settings=settings,
                    now=clock.now(),
                )
            else:
                email = escalation_email(payload, address, settings)
            built.append(Prepared(row.id, address, email))
        except Exception as error:  # one bad recipient fails alone, with its reason
            problem = f"cannot build the {row.kind} email: {type(error).__name__}: {error}"
            built.append(Prepared(row.id, address, None, problem))
    return built


async def send_prepared(one: Prepared, smtp: SmtpPool) -> DeliveryResult:
    """Send one built email on the batch's connection; a failure to build is permanent."""
    if one.email is None:
        return DeliveryResult(
            Outcome.PERMANENT, f"delivery-{one.delivery_id}", 0.0, error=one.error
        )
    return await smtp.send(
        one.email, recipient=one.address, delivery_id=str(one.email["Message-ID"])
    )


def escalation_payload(lines: Sequence[str]) -> str:
    """What an escalation delivery carries: the overdue items, one line each."""
    return json.dumps({"lines": list(lines)}, ensure_ascii=False)


def escalation_email(
    payload: dict[str, list[str]], address: str, settings: MailSettings
) -> EmailMessage:
    lines = [str(line) for line in payload.get("lines", [])]
    email = EmailMessage()
    email["Subject"] = f"【待审核超时】{len(lines)} 项预警超过审核时限 / review overdue"
    email["From"] = settings.sender
    email["To"] = address
    email["Date"] = format_datetime(clock.now())
    email["Message-ID"] = make_msgid(domain=settings.domain)
    email.set_content(
        "以下预警变更已超过审核时限，已在审核队列中置顶：\n"
        "These proposed changes are past their review deadline and now head the queue:\n\n"
        + "\n".join(lines)
        + "\n"
    )
    return email
