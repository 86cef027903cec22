"""The webhook payload: JSON, described by ``docs/webhook-payload.schema.json``.

``{"type": "warning.notification", "timestamp": ..., "data": {"delivery_id", "enterprise",
"events": [...]}}`` in the Standard Webhooks shape (type, timestamp, data). Each event carries
both languages; the chart is not sent (receivers follow ``link``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Final

from alerts.model import Message, WarningEvent

PAYLOAD_TYPE: Final = "warning.notification"
SCHEMA_VERSION: Final = 1


def event_payload(event: WarningEvent) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "warning_id": event.warning_id,
        "change": event.change.value,
        "material": {
            "id": event.material_id,
            "name_zh": event.material_zh,
            "name_en": event.material_en,
        },
        "level": event.level.value,
        "previous_level": event.previous_level.value if event.previous_level else None,
        "direction": event.direction.value or None,
        "basis": event.basis,
        "reasons": {"zh": list(event.reasons_zh), "en": list(event.reasons_en)},
        "since": event.since.isoformat(),
        "latest": {
            "value": event.latest_value,
            "unit": event.latest_unit,
            "date": event.latest_date.isoformat() if event.latest_date else None,
        },
        "link": event.link,
    }


def webhook_payload(message: Message, *, now: datetime) -> dict[str, Any]:
    """The payload object for ``message`` at ``now`` (aware)."""
    return {
        "type": PAYLOAD_TYPE,
        "version": SCHEMA_VERSION,
        "timestamp": now.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "data": {
            "delivery_id": message.delivery_id,
            "enterprise": message.recipient.enterprise_name,
            "language": message.language.value,
            "events": [event_payload(e) for e in message.events],
        },
    }


def encode(payload: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON (Chinese stays readable): the exact bytes that are signed and sent."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
