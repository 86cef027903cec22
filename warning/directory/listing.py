"""The directory as operators read it: one row per contact, with its enterprise, what it
subscribes to and its endpoints (URLs without their query, which may carry a robot's key)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from alerts.ssrf import redact
from warning.directory.models import Contact, Enterprise
from warning.store import aware


@dataclass(frozen=True)
class EndpointLine:
    kind: str
    url: str
    disabled_reason: str | None  # None while it is in use


@dataclass(frozen=True)
class SubscriptionLine:
    """What a contact subscribes to, as stored (the page words it)."""

    materials: str  # "*" or comma-separated ids
    sectors: str  # comma-separated sectors
    min_level: str
    directions: str  # "up,down"


@dataclass(frozen=True)
class ContactLine:
    id: int
    enterprise: str
    credit_code: str
    region: str
    sector: str
    key_contact: bool
    name: str
    email: str
    language: str
    channels: str
    subscriptions: tuple[SubscriptionLine, ...]
    endpoints: tuple[EndpointLine, ...]
    unsubscribed_at: datetime | None
    active: bool


@dataclass(frozen=True)
class DirectoryCounts:
    enterprises: int
    key_contacts: int
    contacts: int
    unsubscribed: int


def directory_counts(session: Session) -> DirectoryCounts:
    enterprises, key = session.execute(
        select(func.count(), func.count().filter(Enterprise.key_contact.is_(True)))
    ).one()
    contacts, unsubscribed = session.execute(
        select(func.count(), func.count(Contact.unsubscribed_at))
    ).one()
    return DirectoryCounts(int(enterprises), int(key), int(contacts), int(unsubscribed))


def contact_lines(
    session: Session, *, search: str = "", limit: int = 200, offset: int = 0
) -> list[ContactLine]:
    """Contacts by enterprise name and email; ``search`` matches the enterprise, the credit
    code, the contact's name or email (case-insensitive)."""
    query = (
        select(Contact)
        .join(Enterprise)
        .options(
            selectinload(Contact.enterprise),
            selectinload(Contact.endpoints),
            selectinload(Contact.subscriptions),
        )
        .order_by(Enterprise.name, Contact.email)
        .limit(limit)
        .offset(offset)
    )
    if search.strip():
        pattern = f"%{search.strip().lower()}%"
        query = query.where(
            func.lower(Enterprise.name).like(pattern)
            | func.lower(Enterprise.credit_code).like(pattern)
            | func.lower(Contact.name).like(pattern)
            | func.lower(Contact.email).like(pattern)
        )
    return [_line(contact) for contact in session.scalars(query)]


def _line(contact: Contact) -> ContactLine:
    enterprise = contact.enterprise
    return ContactLine(
        id=contact.id,
        enterprise=enterprise.name,
        credit_code=enterprise.credit_code,
        region=enterprise.region,
        sector=enterprise.sector,
        key_contact=enterprise.key_contact,
        name=contact.name,
        email=contact.email,
        language=contact.language,
        channels=contact.channels,
        subscriptions=tuple(
            SubscriptionLine(s.materials, s.sectors, str(s.min_level), s.directions)
            for s in contact.subscriptions
        ),
        endpoints=tuple(
            EndpointLine(
                str(e.kind),
                redact(e.url),
                (e.disabled_reason or "disabled") if e.disabled_at else None,
            )
            for e in contact.endpoints
        ),
        unsubscribed_at=aware(contact.unsubscribed_at),
        active=contact.active,
    )
