"""Loading validated rows into the directory, and the directory back out as rows.

Importing upserts: an enterprise by its credit code, a contact by (enterprise, email), the
contact's subscription and endpoints by what the row says. A row that changes nothing writes
nothing, so importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from alerts import EndpointKind
from warning.audit import record
from warning.directory.models import Contact, ContactEndpoint, Enterprise, Subscription
from warning.directory.rows import COLUMNS, ContactRow


@dataclass(frozen=True)
class ImportOutcome:
    """How many rows were read and how many of them changed the directory."""

    rows: int
    changed: int
    enterprises: int
    contacts: int


def import_rows(
    session: Session, *, rows: list[ContactRow], actor: str, source: str, now: datetime
) -> ImportOutcome:
    """Upsert every row (already validated, all or nothing: the caller's transaction)."""
    enterprises = {e.credit_code: e for e in session.scalars(select(Enterprise))}
    changed = 0
    for row in rows:
        enterprise = enterprises.get(row.credit_code)
        if enterprise is None:
            enterprise = Enterprise(credit_code=row.credit_code, created_at=now, updated_at=now)
            session.add(enterprise)
            enterprises[row.credit_code] = enterprise
        touched = _assign(
            enterprise,
            name=row.enterprise,
            region=row.region,
            sector=row.sector,
            whitelist=row.whitelist,
            key_contact=row.key_contact,
        )
        session.flush()
        touched |= _upsert_contact(session, enterprise, row, now=now)
        if touched:
            enterprise.updated_at = now
            changed += 1
    outcome = ImportOutcome(
        rows=len(rows),
        changed=changed,
        enterprises=len({row.credit_code for row in rows}),
        contacts=len(rows),
    )
    if changed:
        record(
            session,
            at=now,
            actor=actor,
            action="directory_imported",
            subject=f"file:{source}"[:128],
            after={"rows": outcome.rows, "changed": changed},
        )
    return outcome


def _upsert_contact(
    session: Session, enterprise: Enterprise, row: ContactRow, *, now: datetime
) -> bool:
    contact = session.scalar(
        select(Contact).where(Contact.enterprise_id == enterprise.id, Contact.email == row.email)
    )
    created = contact is None
    if contact is None:
        contact = Contact(
            enterprise_id=enterprise.id, email=row.email, created_at=now, updated_at=now
        )
        session.add(contact)
    touched = _assign(
        contact,
        name=row.contact,
        phone=row.phone,
        language=row.language,
        channels=",".join(row.channels),
        active=True,
    )
    session.flush()
    touched |= _upsert_subscription(session, contact, row)
    touched |= _upsert_endpoint(
        session, contact, EndpointKind.WEBHOOK, row.webhook_url, row.webhook_secret, now
    )
    if row.robot_kind is not None:
        touched |= _upsert_endpoint(
            session, contact, row.robot_kind, row.robot_url, row.robot_secret, now
        )
    if touched and not created:
        contact.updated_at = now
    return touched or created


def _upsert_subscription(session: Session, contact: Contact, row: ContactRow) -> bool:
    subscription = session.scalar(select(Subscription).where(Subscription.contact_id == contact.id))
    if subscription is None:
        subscription = Subscription(contact_id=contact.id, digest=True)
        session.add(subscription)
        _assign(
            subscription,
            materials=row.materials,
            sectors=row.sectors,
            min_level=row.min_level,
            directions=row.directions,
        )
        return True
    return _assign(
        subscription,
        materials=row.materials,
        sectors=row.sectors,
        min_level=row.min_level,
        directions=row.directions,
    )


def _upsert_endpoint(
    session: Session, contact: Contact, kind: EndpointKind, url: str, secret: str, now: datetime
) -> bool:
    """The contact's endpoint of ``kind``: made, updated (a new secret is added in front of the
    old one: both stay valid during a rotation) or removed when the row has no URL."""
    endpoint = session.scalar(
        select(ContactEndpoint).where(
            ContactEndpoint.contact_id == contact.id, ContactEndpoint.kind == kind
        )
    )
    if not url:
        if endpoint is None:
            return False
        session.delete(endpoint)
        return True
    if endpoint is None:
        session.add(
            ContactEndpoint(
                contact_id=contact.id, kind=kind, url=url, secrets=secret, created_at=now
            )
        )
        return True
    touched = _assign(endpoint, url=url)
    secrets = endpoint.secret_list
    if secret and (not secrets or secrets[0] != secret):
        endpoint.secrets = "\n".join([secret, *secrets[:1]])  # the new one, and the previous
        touched = True
    return touched


def _assign(target: Any, **values: Any) -> bool:
    """Set attributes that differ; whether any did."""
    changed = False
    for name, value in values.items():
        if getattr(target, name) != value:
            setattr(target, name, value)
            changed = True
    return changed


def export_rows(session: Session) -> list[dict[str, str]]:
    """The directory as import rows, one per contact, by enterprise and email."""
    contacts = session.scalars(
        select(Contact)
        .options(
            selectinload(Contact.enterprise),
            selectinload(Contact.endpoints),
            selectinload(Contact.subscriptions),
        )
        .join(Enterprise)
        .order_by(Enterprise.credit_code, Contact.email)
    )
    return [_export_row(contact) for contact in contacts]


def _export_row(contact: Contact) -> dict[str, str]:
    enterprise = contact.enterprise
    subscription = contact.subscriptions[0] if contact.subscriptions else None
    webhook = next((e for e in contact.endpoints if e.kind == EndpointKind.WEBHOOK), None)
    robot = next((e for e in contact.endpoints if e.kind != EndpointKind.WEBHOOK), None)
    row = {
        "enterprise": enterprise.name,
        "credit_code": enterprise.credit_code,
        "key_contact": str(enterprise.key_contact).lower(),
        "contact": contact.name,
        "email": contact.email,
        "language": contact.language,
        "webhook_url": webhook.url if webhook else "",
        "webhook_secret": webhook.secret_list[0] if webhook and webhook.secret_list else "",
        "materials": subscription.materials if subscription else "",
        "min_level": str(subscription.min_level) if subscription else "",
        "region": enterprise.region,
        "sector": enterprise.sector,
        "whitelist": str(enterprise.whitelist).lower(),
        "phone": contact.phone,
        "channels": contact.channels,
        "directions": subscription.directions if subscription else "",
        "sectors": subscription.sectors if subscription else "",
        "robot_kind": str(robot.kind) if robot else "",
        "robot_url": robot.url if robot else "",
        "robot_secret": robot.secret_list[0] if robot and robot.secret_list else "",
    }
    return {column: row[column] for column in COLUMNS}


def unsubscribe(session: Session, *, contact_id: int, now: datetime) -> Contact | None:
    """Stop sending to a contact (their one-click unsubscribe); None if there is no such
    contact. Audited; a second call changes nothing."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        return None
    if contact.unsubscribed_at is None:
        contact.unsubscribed_at = now
        record(
            session,
            at=now,
            actor=f"contact:{contact_id}",
            action="unsubscribed",
            subject=f"contact:{contact_id}",
            after={"unsubscribed_at": now.isoformat()},
        )
    return contact
