"""Review items escalated past their deadline: the operators are told again, by email.

The sweep (every minute in ``warning serve``) marks such items overdue and raises them in the
queue; this queues, for each address in ``WARNING_OPERATOR_EMAILS``, one delivery listing
them with links to their pages. The delivery worker sends it like any message (retries,
dead letters, replay, ``/deliveries``); the items stay raised in the queue either way.
"""

from __future__ import annotations

from collections.abc import Sequence

from alerts import EndpointKind, Language
from alerts.labels import LABELS
from vocabulary import Direction, Level
from warning import clock
from warning.catalog.models import Material
from warning.context import ServiceContext
from warning.delivery.models import Delivery, DeliveryKind, DeliveryStatus
from warning.jobs.prepared import escalation_payload
from warning.review.models import ReviewItem
from warning.store import transaction


def _proposal(item: ReviewItem, language: Language) -> str:
    """The level and direction an item proposes, in words (红色 上行 / Red up)."""
    words = LABELS[language]
    level, direction = Level(item.level), Direction(item.direction or Direction.NONE)
    return f"{words.level[level]} {words.direction_short[direction]}"


def notify_escalations(context: ServiceContext, item_ids: Sequence[int]) -> int:
    """Queue the operators' escalation email about ``item_ids``; how many were queued."""
    addresses = context.settings.operator_emails
    if not item_ids or not addresses:
        return 0
    now = clock.now()
    with transaction(context.factory) as session:
        lines = []
        for item_id in item_ids:
            item = session.get(ReviewItem, item_id)
            if item is None:
                continue
            material = session.get(Material, item.material_id)
            name = f"{material.name_zh} {material.name_en}" if material else item.material_id
            lines.append(
                f"- #{item.id} {name}: {_proposal(item, Language.ZH)} / "
                f"{_proposal(item, Language.EN)} ({context.settings.public_url}/items/{item.id})"
            )
        payload = escalation_payload(lines)
        for address in addresses:
            session.add(
                Delivery(
                    kind=DeliveryKind.ESCALATION,
                    contact_id=None,
                    address=address,
                    channel=EndpointKind.EMAIL,
                    payload=payload,
                    status=DeliveryStatus.PENDING,
                    created_at=now,
                    send_after=now,
                    next_attempt_at=now,
                    attempts=0,
                )
            )
    return len(addresses)
