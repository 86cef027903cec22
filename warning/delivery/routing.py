"""Routing: approved warning events into notices, notices into deliveries for the contacts
whose subscriptions match.

A decision only writes its warning event, in its own transaction (:mod:`warning.review`);
the delivery worker alone routes, at the start of each round, so an approval made anywhere
(web, API, CLI, policy, sweep) is delivered on the worker's next round (the events are the
outbox's input: ``warning_event.routed_at`` is its cursor). No other caller routes, but
:func:`record_as_history`, which keeps a staged or imported history as ``skipped``.

- An event of a silenced change (``notify`` false), or of a change a silence for everyone
  mutes now, is routed to nobody; a silence with an enterprise matcher leaves out that
  enterprise's contacts (:mod:`warning.review.silences`). An end of warning is announced
  unless ``WARNING_NOTIFY_RESOLVED`` is off.
- A contact matches when active and not unsubscribed, and one of its subscriptions names the
  material (or ``*``, or the material's sector), the level reaches its minimum (an end counts
  with the level of the warning it ends) and the direction is one it wants.
- **Grouping**: a notice joins the contact's open delivery on that channel (one still within
  its ``WARNING_GROUP_WAIT``), or starts one due that long from now (0: at once).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload

from alerts import EndpointKind, NoticeKind
from vocabulary import ChangeKind, Direction, Level, level_rank
from warning.catalog.models import Material
from warning.delivery.models import (
    Delivery,
    DeliveryKind,
    DeliveryNotice,
    DeliveryStatus,
    Notice,
)
from warning.delivery.policy import DeliveryPolicy
from warning.directory.models import Contact, ContactEndpoint, Subscription
from warning.review.models import MaterialWarning, ReviewItem, WarningEvent
from warning.review.silences import Change, silence_for, silenced_enterprises
from warning.review.states import WarningState
from warning.store import aware

NOTICE_OF: Final = {
    ChangeKind.NEW: NoticeKind.NEW,
    ChangeKind.ESCALATION: NoticeKind.ESCALATED,
    ChangeKind.DE_ESCALATION: NoticeKind.DE_ESCALATED,
    ChangeKind.DIRECTION_CHANGE: NoticeKind.DIRECTION_CHANGED,
    ChangeKind.END: NoticeKind.RESOLVED,
}


@dataclass(frozen=True)
class Target:
    """Where one contact gets a notice: a channel, its endpoint (None: the contact's email),
    and the subscription that matched."""

    contact: Contact
    channel: EndpointKind
    endpoint: ContactEndpoint | None
    subscription: Subscription


@dataclass
class RoutingOutcome:
    """What one routing pass made."""

    notices: list[int] = field(default_factory=list)
    deliveries: set[int] = field(default_factory=set)
    muted: list[int] = field(default_factory=list)  # events routed to nobody


def route_pending(session: Session, *, policy: DeliveryPolicy, now: datetime) -> RoutingOutcome:
    """Route every approved warning event not routed yet (module docstring)."""
    outcome = RoutingOutcome()
    events = session.scalars(
        select(WarningEvent)
        .where(WarningEvent.routed_at.is_(None))
        .order_by(WarningEvent.id)
        .with_for_update(skip_locked=True)
    ).all()
    for event in events:
        event.routed_at = now
        notice = _notice_for(session, event, policy=policy, now=now)
        if notice is None:
            outcome.muted.append(event.id)
            continue
        outcome.notices.append(notice.id)
        decided = aware(event.at) or now
        outcome.deliveries |= route_notice(
            session, notice=notice, policy=policy, now=now, decided_at=min(decided, now)
        )
    return outcome


def record_as_history(
    session: Session, *, policy: DeliveryPolicy, reason: str, now: datetime
) -> int:
    """Route every event not routed yet and keep its deliveries as ``skipped`` with
    ``reason``: a history recorded (the demo's staged weeks, an import of past decisions),
    never sent. How many deliveries were kept so."""
    outcome = route_pending(session, policy=policy, now=now)
    deliveries = session.scalars(select(Delivery).where(Delivery.id.in_(outcome.deliveries)))
    kept = 0
    for delivery in deliveries:
        delivery.status, delivery.skip_reason = DeliveryStatus.SKIPPED, reason
        kept += 1
    session.flush()
    return kept


def muted(session: Session, *, change: Change, now: datetime, notify: bool = True) -> bool:
    """Delivery's one mute point: a change the review stage decided not to notify (a silence
    when it was proposed), or one a silence for everyone mutes now, goes to nobody (a
    silence for one enterprise: :func:`targets` leaves its contacts out)."""
    return not notify or silence_for(session, change=change, at=now) is not None


def _notice_for(
    session: Session, event: WarningEvent, *, policy: DeliveryPolicy, now: datetime
) -> Notice | None:
    warning = session.get(MaterialWarning, event.warning_id)
    assert warning is not None  # a foreign key
    ended = event.kind == ChangeKind.END
    level = warning.level if ended else event.level  # an end: the warning it ends
    direction = warning.direction if ended else event.direction
    change = Change.of(session, material_id=warning.material_id, level=level, direction=direction)
    if muted(session, change=change, notify=event.notify, now=now):
        return None
    if ended and not policy.notify_resolved:
        return None
    item = session.get(ReviewItem, event.review_item_id)
    notice = Notice(
        warning_id=warning.id,
        warning_event_id=event.id,
        kind=NOTICE_OF[ChangeKind(event.kind)],
        material_id=warning.material_id,
        level=level,
        direction=direction,
        previous_level=event.previous_level or (item.from_level if item is not None else None),
        created_at=now,
    )
    session.add(notice)
    session.flush()
    return notice


def route_notice(
    session: Session,
    *,
    notice: Notice,
    policy: DeliveryPolicy,
    now: datetime,
    decided_at: datetime | None = None,
) -> set[int]:
    """Attach ``notice`` to a delivery for every matching target: the target's open delivery
    (pending, never tried, still in its group wait) or a new one, due the group wait after
    the decision (``decided_at``; else ``now``); the deliveries' ids."""
    found = targets(
        session,
        material_id=notice.material_id,
        level=Level(notice.level),
        direction=notice.direction,
        at=now,
    )
    open_ones = _open_deliveries(session, {target.contact.id for target in found}, now=now)
    due = (decided_at or now) + timedelta(seconds=policy.group_wait_s)
    chosen: set[int] = set()
    new_ones: dict[DeliveryKey, dict[str, object]] = {}
    for target in found:
        key = _key_of(target)
        delivery = open_ones.get(key)
        if delivery is not None:
            chosen.add(delivery.id)
        elif key not in new_ones:
            new_ones[key] = {
                "kind": DeliveryKind.NOTICE,
                "contact_id": target.contact.id,
                "channel": target.channel,
                "endpoint_id": key[2],
                "status": DeliveryStatus.PENDING,
                "created_at": now,
                "send_after": due,
                "next_attempt_at": due,
                "attempts": 0,
            }
    if new_ones:  # one statement for a fan-out to thousands, not an ORM object each
        made = session.scalars(
            insert(Delivery).returning(Delivery.id, sort_by_parameter_order=True),
            list(new_ones.values()),
        )
        chosen.update(made)
    if chosen:
        session.execute(
            insert(DeliveryNotice),
            [{"delivery_id": delivery_id, "notice_id": notice.id} for delivery_id in chosen],
        )
    return chosen


def targets(
    session: Session,
    *,
    material_id: str,
    level: Level,
    direction: Direction | str,
    at: datetime | None = None,
) -> list[Target]:
    """Every (contact, channel) a notice of this material, level and direction goes to; with
    ``at``, but the contacts of the enterprises a silence mutes it for at that moment."""
    material = session.get(Material, material_id)
    sector = material.sector if material else ""
    change = Change(material_id, sector, str(level), str(direction))
    left_out = silenced_enterprises(session, change=change, at=at) if at is not None else set()
    found = []
    for subscription in _subscriptions(session):
        if subscription.contact.enterprise_id in left_out:
            continue
        if _matches(subscription, material_id, sector, level, direction):
            found += _channels(subscription)
    return found


def _subscriptions(session: Session) -> list[Subscription]:
    return list(
        session.scalars(
            select(Subscription)
            .join(Contact, Contact.id == Subscription.contact_id)
            .where(Contact.active.is_(True), Contact.unsubscribed_at.is_(None))
            .options(
                selectinload(Subscription.contact).selectinload(Contact.endpoints),
                selectinload(Subscription.contact).selectinload(Contact.enterprise),
            )
            .order_by(Subscription.contact_id, Subscription.id)
        )
    )


def _matches(
    subscription: Subscription,
    material_id: str,
    sector: str,
    level: Level,
    direction: Direction | str,
) -> bool:
    materials = {m.strip() for m in subscription.materials.split(",") if m.strip()}
    sectors = {s.strip() for s in subscription.sectors.split(",") if s.strip()}
    named = "*" in materials or material_id in materials or sector in sectors
    directions = {d.strip() for d in subscription.directions.split(",")}
    return (
        named
        and level_rank(level) >= level_rank(subscription.min_level)
        and str(direction) in directions
    )


def _channels(subscription: Subscription) -> list[Target]:
    contact = subscription.contact
    wanted = {c.strip() for c in contact.channels.split(",") if c.strip()}
    found = []
    if EndpointKind.EMAIL in wanted:
        found.append(Target(contact, EndpointKind.EMAIL, None, subscription))
    for endpoint in contact.endpoints:
        if endpoint.kind in wanted and endpoint.disabled_at is None:
            found.append(Target(contact, EndpointKind(endpoint.kind), endpoint, subscription))
    return found


DeliveryKey = tuple[int, str, int | None]  # contact, channel, endpoint (None for email)


def _key_of(target: Target) -> DeliveryKey:
    endpoint_id = target.endpoint.id if target.endpoint else None
    return (target.contact.id, str(target.channel), endpoint_id)


def _open_deliveries(
    session: Session, contact_ids: set[int], *, now: datetime
) -> dict[DeliveryKey, Delivery]:
    """The open delivery of each (contact, channel, endpoint): the oldest one still pending,
    never tried and in its group wait, so that a notice joins it rather than going alone."""
    rows = session.scalars(
        select(Delivery)
        .where(
            Delivery.contact_id.in_(contact_ids),
            Delivery.kind == DeliveryKind.NOTICE,
            Delivery.status == DeliveryStatus.PENDING,
            Delivery.attempts == 0,
            Delivery.send_after > now,
        )
        .order_by(Delivery.id)
        .with_for_update()
    ).all()
    found: dict[DeliveryKey, Delivery] = {}
    for delivery in rows:
        if delivery.contact_id is not None:
            key = (delivery.contact_id, str(delivery.channel), delivery.endpoint_id)
            found.setdefault(key, delivery)
    return found


def repeat_active_reds(
    session: Session, *, policy: DeliveryPolicy, now: datetime
) -> RoutingOutcome:
    """A new notice for each active red warning last announced ``repeat_days`` ago or more."""
    outcome = RoutingOutcome()
    reds = session.scalars(
        select(MaterialWarning).where(
            MaterialWarning.state == WarningState.ACTIVE, MaterialWarning.level == Level.RED
        )
    ).all()
    for warning in reds:
        last = session.scalar(
            select(Notice.created_at)
            .where(Notice.warning_id == warning.id)
            .order_by(Notice.created_at.desc())
            .limit(1)
        )
        change = Change.of(
            session,
            material_id=warning.material_id,
            level=warning.level,
            direction=warning.direction,
        )
        if last is None or muted(session, change=change, now=now):
            continue  # never announced (a silenced change), or silenced now
        if (aware(last) or now) + timedelta(days=policy.repeat_days) > now:
            continue
        notice = Notice(
            warning_id=warning.id,
            warning_event_id=None,
            kind=NoticeKind.REPEAT,
            material_id=warning.material_id,
            level=warning.level,
            direction=warning.direction,
            previous_level=warning.level,
            created_at=now,
        )
        session.add(notice)
        session.flush()
        outcome.notices.append(notice.id)
        outcome.deliveries |= route_notice(session, notice=notice, policy=policy, now=now)
    return outcome
