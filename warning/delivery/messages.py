"""Claimed deliveries as the alerts engine's messages: recipient, endpoint, warning events."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from alerts import (
    Chart,
    Endpoint,
    EndpointKind,
    Language,
    Message,
    NoticeKind,
    Recipient,
    WarningEvent,
    make_message,
)
from alerts.unsubscribe import unsubscribe_url
from vocabulary import Direction, Level
from warning.catalog.models import Material
from warning.delivery.models import Delivery, Notice
from warning.directory.models import Contact, ContactEndpoint
from warning.evaluation.board import MaterialLine
from warning.review.models import MaterialWarning
from warning.store import aware

ChartSource = Callable[[str], bytes | None]  # material id -> PNG


@dataclass(frozen=True)
class Links:
    """Where recipients are sent back to, and the key that signs unsubscribe links."""

    public_url: str
    secret_key: str


def messages_for(
    session: Session,
    *,
    delivery_ids: Sequence[int],
    links: Links,
    lines: dict[str, MaterialLine],
    chart: ChartSource,
) -> list[tuple[int, Message]]:
    """The message of each delivery (``lines``: the board, for latest values)."""
    batch = _Batch.load(session, delivery_ids)
    events: dict[int, WarningEvent] = {}
    built = []
    for delivery_id in delivery_ids:
        delivery = batch.deliveries.get(delivery_id)
        if delivery is None or not delivery.notices:
            continue
        contact = batch.contacts[delivery.contact_id]
        for notice in delivery.notices:
            if notice.id not in events:
                events[notice.id] = _event(session, notice, links=links, lines=lines, chart=chart)
        built.append(
            (
                delivery_id,
                make_message(
                    _recipient(contact, links),
                    _endpoint(batch, delivery, contact),
                    [events[notice.id] for notice in delivery.notices],
                ),
            )
        )
    return built


@dataclass(frozen=True)
class _Batch:
    """The deliveries with their notices, contacts (with enterprises) and endpoints, read in
    four queries rather than several for each delivery."""

    deliveries: dict[int, Delivery]
    contacts: dict[int, Contact]
    endpoints: dict[int, ContactEndpoint]

    @classmethod
    def load(cls, session: Session, delivery_ids: Sequence[int]) -> _Batch:
        deliveries = session.scalars(
            select(Delivery)
            .where(Delivery.id.in_(delivery_ids))
            .options(selectinload(Delivery.notices))
        ).all()
        contact_ids = {delivery.contact_id for delivery in deliveries}
        endpoint_ids = {d.endpoint_id for d in deliveries if d.endpoint_id is not None}
        contacts = session.scalars(
            select(Contact)
            .where(Contact.id.in_(contact_ids))
            .options(joinedload(Contact.enterprise))
        ).all()
        endpoints = session.scalars(
            select(ContactEndpoint).where(ContactEndpoint.id.in_(endpoint_ids))
        ).all()
        return cls(
            {d.id: d for d in deliveries},
            {c.id: c for c in contacts},
            {e.id: e for e in endpoints},
        )


def _recipient(contact: Contact, links: Links) -> Recipient:
    return Recipient(
        contact_name=contact.name,
        email=contact.email,
        language=Language(contact.language),
        enterprise_name=contact.enterprise.name,
        unsubscribe_url=unsubscribe_url(links.public_url, str(contact.id), links.secret_key),
    )


def _endpoint(batch: _Batch, delivery: Delivery, contact: Contact) -> Endpoint:
    if delivery.endpoint_id is None:
        return Endpoint(endpoint_id=f"email-{contact.id}", kind=EndpointKind.EMAIL)
    endpoint = batch.endpoints[delivery.endpoint_id]
    return Endpoint(
        endpoint_id=f"endpoint-{endpoint.id}",
        kind=EndpointKind(endpoint.kind),
        url=endpoint.url,
        secrets=endpoint.secret_list,
    )


def _event(
    session: Session,
    notice: Notice,
    *,
    links: Links,
    lines: dict[str, MaterialLine],
    chart: ChartSource,
) -> WarningEvent:
    warning = session.get(MaterialWarning, notice.warning_id)
    material = session.get(Material, notice.material_id)
    assert warning is not None and material is not None
    earlier = session.scalars(
        select(Notice.id)
        .where(Notice.warning_id == warning.id, Notice.id < notice.id)
        .order_by(Notice.id)
    ).all()
    line = lines.get(notice.material_id)
    png = chart(notice.material_id)
    started = aware(warning.started_at)
    assert started is not None
    return WarningEvent(
        warning_id=f"w{warning.id}",
        event_id=f"n{notice.id}",
        change=NoticeKind(notice.kind),
        material_id=material.id,
        material_zh=material.name_zh,
        material_en=material.name_en,
        level=Level(notice.level),
        direction=Direction(notice.direction),
        basis="",
        reasons_zh=_lines(warning.text_zh),
        reasons_en=_lines(warning.text_en),
        since=started.date(),
        latest_value=line.latest_value if line else None,
        latest_unit=(line.unit or "") if line else "",
        latest_date=line.latest_period if line else None,
        link=f"{links.public_url}/materials/{material.id}",
        previous_level=Level(notice.previous_level) if notice.previous_level else None,
        chart=Chart(png=png, alt=f"{material.name_zh} / {material.name_en}") if png else None,
        earlier_event_ids=tuple(f"n{notice_id}" for notice_id in earlier),
    )


def _lines(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.replace("；", "\n").splitlines() if part.strip())
