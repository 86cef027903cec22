"""Claimed deliveries as the alerts engine's messages: recipient, endpoint, warning events."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from alerts import (
    Advice,
    Chart,
    Endpoint,
    EndpointKind,
    Issuer,
    Language,
    Message,
    NoticeKind,
    Recipient,
    WarningEvent,
    make_message,
)
from alerts.public_link import warning_url
from alerts.unsubscribe import unsubscribe_url
from vocabulary import Direction, Level, series_names
from warning import clock
from warning.catalog.models import Material, Series
from warning.delivery.models import Delivery, Notice
from warning.directory.models import Contact, ContactEndpoint
from warning.review.events import statements, stored_statements
from warning.review.models import MaterialWarning
from warning.review.models import WarningEvent as ReviewEvent
from warning.store import aware

ChartSource = Callable[[str, date | None], bytes | None]  # series id, until -> PNG
AdviceSource = Callable[[str, Level, Direction], Advice]  # material, level, direction


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
    chart: ChartSource,
    advice: AdviceSource | None = None,
    issuer: Issuer | None = None,
    prices: bool = True,
) -> list[tuple[int, Message]]:
    """The message of each delivery, rendered from its notices' warning events as decided
    (never from the board at send time); without ``prices``, no value and no chart."""
    batch = _Batch.load(session, delivery_ids)
    events: dict[int, WarningEvent] = {}
    built = []
    for delivery_id in delivery_ids:
        delivery = batch.deliveries.get(delivery_id)
        if delivery is None or not delivery.notices or delivery.contact_id is None:
            continue  # not a warning notice (a digest, an escalation): prepared elsewhere
        contact = batch.contacts[delivery.contact_id]
        for notice in delivery.notices:
            if notice.id not in events:
                events[notice.id] = _event(
                    session,
                    notice,
                    links=links,
                    chart=chart,
                    advice=advice or _no_advice,
                    prices=prices,
                )
        built.append(
            (
                delivery_id,
                make_message(
                    _recipient(contact, links),
                    _endpoint(batch, delivery, contact),
                    [events[notice.id] for notice in delivery.notices],
                    issuer,
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
    chart: ChartSource,
    advice: AdviceSource,
    prices: bool,
) -> WarningEvent:
    warning = session.get(MaterialWarning, notice.warning_id)
    assert warning is not None
    decided = _decided_event(session, notice)
    earlier = session.scalars(
        select(Notice.id)
        .where(Notice.warning_id == warning.id, Notice.id < notice.id)
        .order_by(Notice.id)
    ).all()
    ended = notice.kind == NoticeKind.RESOLVED
    return decided_event(
        session,
        decided=decided,
        warning=warning,
        change=NoticeKind(notice.kind),
        level=Level(notice.level),
        direction=Direction(notice.direction),
        event_id=f"n{notice.id}",
        link=warning_url(links.public_url, warning.id, clock.now(), links.secret_key),
        chart=chart,
        advice=advice,
        previous_level=None if ended else _previous_level(decided, notice),
        earlier=tuple(f"n{notice_id}" for notice_id in earlier),
        prices=prices,
    )


def decided_event(
    session: Session,
    *,
    decided: ReviewEvent,
    warning: MaterialWarning,
    change: NoticeKind,
    level: Level,
    direction: Direction,
    event_id: str,
    link: str,
    chart: ChartSource,
    advice: AdviceSource,
    previous_level: Level | None,
    earlier: tuple[str, ...] = (),
    prices: bool = True,
) -> WarningEvent:
    """The alerts engine's event of ``decided`` (the warning event as decided), shown as
    ``change`` at ``level`` and ``direction``: what a message or the public page shows.
    Without ``prices`` (``WARNING_MESSAGE_PRICES=false``) it carries no value and no chart:
    the level, direction and the reasons' changes only."""
    material = session.get(Material, warning.material_id)
    assert material is not None
    series = session.get(Series, decided.value_series_id) if decided.value_series_id else None
    series_zh, series_en = (
        series_names(material.name_zh, material.name_en, series.indicator, series.frequency)
        if series is not None
        else ("", "")
    )
    shown = decided.value_series_id if prices else None
    png = chart(shown, decided.value_period) if shown else None
    since = decided.level_since or (aware(warning.started_at) or clock.now()).date()
    ended = change is NoticeKind.RESOLVED
    return WarningEvent(
        warning_id=f"w{warning.id}",
        event_id=event_id,
        change=change,
        material_id=material.id,
        material_zh=material.name_zh,
        material_en=material.name_en,
        level=level,
        direction=direction,
        basis=decided.basis or "no_data",
        reasons_zh=_statements_of(decided, warning, "zh"),
        reasons_en=_statements_of(decided, warning, "en"),
        since=since,
        latest_value=decided.value if prices else None,
        latest_unit=decided.value_unit or "",
        latest_date=decided.value_period,
        link=link,
        previous_level=previous_level,
        previous_direction=Direction(decided.previous_direction)
        if decided.previous_direction
        else None,
        chart=Chart(png=png, alt=f"{material.name_zh} / {material.name_en}") if png else None,
        earlier_event_ids=earlier,
        data_as_of=decided.data_as_of,
        decided_at=aware(decided.at),
        latest_series_zh=series_zh,
        latest_series_en=series_en,
        adjusted=bool(decided.adjusted),
        advice=Advice() if ended else advice(material.id, level, direction),
    )


def _decided_event(session: Session, notice: Notice) -> ReviewEvent:
    """The warning event a notice announces; for a repeat of a red, the warning's newest."""
    if notice.warning_event_id is not None:
        event = session.get(ReviewEvent, notice.warning_event_id)
        if event is not None:
            return event
    newest = session.scalar(
        select(ReviewEvent)
        .where(ReviewEvent.warning_id == notice.warning_id)
        .order_by(ReviewEvent.id.desc())
        .limit(1)
    )
    if newest is None:  # a warning with no event at all cannot be notified; fail loudly
        raise LookupError(f"warning {notice.warning_id} has no event to announce")
    return newest


def _statements_of(event: ReviewEvent, warning: MaterialWarning, language: str) -> tuple[str, ...]:
    """The event's statements; for an event recorded before events carried them, the
    warning's text (one statement per line)."""
    stored = stored_statements(event, language)
    if stored is not None:
        return stored
    return statements(warning.text_zh if language == "zh" else warning.text_en)


def _no_advice(material_id: str, level: Level, direction: Direction) -> Advice:
    return Advice()


def _previous_level(event: ReviewEvent, notice: Notice) -> Level | None:
    previous = event.previous_level or notice.previous_level
    return Level(previous) if previous else None
