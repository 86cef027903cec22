"""The outbox as operators read it: each delivery with its contact, enterprise and endpoint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.ssrf import redact
from warning.delivery.models import Delivery, DeliveryStatus
from warning.directory.models import Contact, ContactEndpoint, Enterprise
from warning.store import aware


@dataclass(frozen=True)
class DeliveryRow:
    """One delivery, ready to show: where it goes (a URL without its query, which may carry a
    robot's key) and how far it got."""

    id: int
    contact: str
    enterprise: str
    kind: str  # notice, digest or escalation
    channel: str
    target: str
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str


def delivery_count(
    session: Session, *, status: DeliveryStatus | None = None, channel: str | None = None
) -> int:
    """How many deliveries :func:`delivery_rows` pages through with these filters."""
    query = select(func.count()).select_from(Delivery)
    if status is not None:
        query = query.where(Delivery.status == status)
    if channel is not None:
        query = query.where(Delivery.channel == channel)
    return int(session.scalar(query) or 0)


def delivery_rows(
    session: Session,
    *,
    status: DeliveryStatus | None = None,
    channel: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[DeliveryRow]:
    """Deliveries, newest first, of one status and channel or all, one page of them."""
    query = (
        select(Delivery, Contact.name, Contact.email, Enterprise.name, ContactEndpoint.url)
        .outerjoin(Contact, Contact.id == Delivery.contact_id)  # an operator's: an address only
        .outerjoin(Enterprise, Enterprise.id == Contact.enterprise_id)
        .outerjoin(ContactEndpoint, ContactEndpoint.id == Delivery.endpoint_id)
        .order_by(Delivery.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if status is not None:
        query = query.where(Delivery.status == status)
    if channel is not None:
        query = query.where(Delivery.channel == channel)
    rows = []
    for delivery, name, email, enterprise, url in session.execute(query):
        waiting = delivery.status in (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)
        rows.append(
            DeliveryRow(
                id=delivery.id,
                contact=name or delivery.address or "",
                enterprise=enterprise or "",
                kind=str(delivery.kind),
                channel=str(delivery.channel),
                target=redact(url) if url else (email or delivery.address or ""),
                status=DeliveryStatus(delivery.status),
                attempts=delivery.attempts,
                created_at=aware(delivery.created_at) or delivery.created_at,
                next_attempt_at=aware(delivery.next_attempt_at) if waiting else None,
                sent_at=aware(delivery.sent_at),
                last_error=delivery.last_error or "",
            )
        )
    return rows
