"""A test send: the notice a review item would produce if it were approved as it stands, sent
by email to a member of the desk, marked as a test in its subject and body.

It goes the real way out: a ``delivery`` of kind ``test`` in the outbox (no contact, only the
address), built by the worker from the item as it stands when it is sent, and sent through
the email channel (retries, dead letters, replay and ``/deliveries`` as for any delivery). It
carries no notice and no contact, so routing, grouping, repeats and the enterprises' counts
never see it. The addresses it may go to are the desk's own (``WARNING_OPERATOR_EMAILS``):
the form cannot make the service mail anyone else.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts import Endpoint, EndpointKind, Issuer, Language, Message, Recipient, WarningEvent
from alerts.model import NoticeKind
from vocabulary import Level
from warning.audit import record
from warning.delivery.messages import AdviceSource, ChartSource, Links, decided_event
from warning.delivery.models import Delivery, DeliveryKind, DeliveryStatus
from warning.delivery.routing import NOTICE_OF
from warning.errors import Refused
from warning.review.changes import Standing, kind_of_change, standing_of
from warning.review.decisions import active_warning, get_item
from warning.review.events import make_event
from warning.review.models import MaterialWarning, ReviewItem
from warning.review.states import ChangeKind, WarningState


class TestSendRefused(Refused):
    """A test send that cannot be made: an address not the desk's, or nothing to announce."""

    __test__ = False  # not a pytest class


def queue_test_send(
    session: Session,
    *,
    item_id: int,
    address: str,
    allowed: Sequence[str],
    name: str,
    language: Language,
    actor: str,
    now: datetime,
) -> Delivery:
    """Queue the test of ``item_id``'s notice to ``address`` (one of ``allowed``, the desk's
    addresses), greeting ``name``, in ``language``; audited on the item. Refused when the
    address is not the desk's or approving the item would announce nothing."""
    item = get_item(session, item_id=item_id)
    if address.strip().lower() not in {a.strip().lower() for a in allowed}:
        raise TestSendRefused(f"{address!r} is not one of the desk's addresses")
    if _change(session, item) is None:
        raise TestSendRefused(f"item {item_id}: approving it would announce nothing")
    payload = {"item": item.id, "language": language.value, "name": name}
    delivery = Delivery(
        kind=DeliveryKind.TEST,
        contact_id=None,
        address=address,
        channel=EndpointKind.EMAIL,
        payload=json.dumps(payload, ensure_ascii=False),
        status=DeliveryStatus.PENDING,
        created_at=now,
        send_after=now,
        next_attempt_at=now,
        attempts=0,
    )
    session.add(delivery)
    session.flush()
    record(
        session,
        at=now,
        actor=actor,
        action="test_sent",
        material_id=item.material_id,
        review_item_id=item.id,
        subject=address,
        after={"delivery": delivery.id, "address": address, "language": language.value},
    )
    return delivery


def _change(
    session: Session, item: ReviewItem
) -> tuple[MaterialWarning | None, Standing, Standing, ChangeKind] | None:
    """The warning now, its standing, the item's final standing and the change approving the
    item would make (None: no change, so nothing would be announced)."""
    warning = active_warning(session, material_id=item.material_id)
    current = standing_of(warning)
    final = Standing.of(item.final_level or item.level, item.final_direction or item.direction)
    kind = kind_of_change(current, final)
    if kind is None or (warning is None and final.level is Level.NORMAL):
        return None
    return warning, current, final, kind


def test_messages(
    session: Session,
    *,
    delivery_ids: Sequence[int],
    links: Links,
    chart: ChartSource,
    advice: AdviceSource,
    issuer: Issuer | None,
    prices: bool,
    now: datetime,
) -> list[tuple[int, Message]]:
    """The messages of the test deliveries among ``delivery_ids`` (a test whose item would
    announce nothing any more is left out: the worker marks it dead, saying so)."""
    rows = session.scalars(
        select(Delivery).where(Delivery.id.in_(delivery_ids), Delivery.kind == DeliveryKind.TEST)
    ).all()
    built = []
    for row in sorted(rows, key=lambda r: r.id):
        payload = json.loads(row.payload or "{}")
        item = session.get(ReviewItem, int(payload.get("item", 0)))
        event = _event(session, item, row.id, links, chart, advice, prices, now) if item else None
        if event is None:
            continue
        recipient = Recipient(
            contact_name=str(payload.get("name", "")),
            email=row.address or "",
            language=Language(payload.get("language", Language.ZH.value)),
            enterprise_name=issuer.name(Language(payload.get("language", "zh"))) if issuer else "",
        )
        endpoint = Endpoint(endpoint_id=f"test-{row.id}", kind=EndpointKind.EMAIL)
        built.append((row.id, Message(recipient, endpoint, (event,), issuer=issuer, test=True)))
    return built


def _event(
    session: Session,
    item: ReviewItem,
    delivery_id: int,
    links: Links,
    chart: ChartSource,
    advice: AdviceSource,
    prices: bool,
    now: datetime,
) -> WarningEvent | None:
    """The alerts engine's event approving ``item`` as it stands would announce, as routing
    would announce it (an end at the ended warning's level), linking to the item's page."""
    change = _change(session, item)
    if change is None:
        return None
    warning, current, final, kind = change
    shown = warning or MaterialWarning(  # never added: what approving would make
        material_id=item.material_id,
        state=WarningState.ACTIVE,
        started_at=now,
        level=final.level,
        direction=final.direction,
        text_zh=item.final_text_zh or item.reasons_zh,
        text_en=item.final_text_en or item.reasons_en,
    )
    decided = make_event(
        session,
        item=item,
        warning=shown,
        kind=kind,
        final=final,
        previous=current,
        notify=True,
        now=now,
    )
    ended = kind is ChangeKind.END
    notice = NOTICE_OF[kind]
    return decided_event(
        session,
        decided=decided,
        warning=shown,
        change=notice,
        level=current.level if ended else final.level,
        direction=current.direction if ended else final.direction,
        event_id=f"test-{delivery_id}",
        link=f"{links.public_url}/items/{item.id}",
        chart=chart,
        advice=advice,
        previous_level=None if notice is NoticeKind.RESOLVED else Level(current.level),
        prices=prices,
    )
