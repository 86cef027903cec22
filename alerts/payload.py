"""The webhook payload: JSON, described by ``docs/webhook-payload.schema.json``.

``{"type": "warning.notification", "timestamp": ..., "data": {"delivery_id", "enterprise",
"events": [...]}}`` in the Standard Webhooks shape (type, timestamp, data). Each event carries
both languages; the chart is not sent (receivers follow ``link``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Final

from alerts.labels import LABELS
from alerts.model import Language, Message, WarningEvent

PAYLOAD_TYPE: Final = "warning.notification"
SCHEMA_VERSION: Final = 1


def event_payload(event: WarningEvent) -> dict[str, Any]:
    """One event: stable ids and codes; ``reasons`` are whole statements per language, the
    first the change itself (naming the event's level); ``basis`` a code, with its words."""
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
        "previous_direction": (event.previous_direction.value or None)
        if event.previous_direction
        else None,
        "adjusted": event.adjusted,
        "basis": event.basis or "no_data",
        "basis_text": {
            language.value: LABELS[language].basis_words.get(event.basis, event.basis)
            for language in Language
        },
        "reasons": {
            "zh": list(event.reasons(Language.ZH)),
            "en": list(event.reasons(Language.EN)),
        },
        "since": event.since.isoformat(),
        "data_as_of": event.data_as_of.isoformat() if event.data_as_of else None,
        "decided_at": _utc(event.decided_at) if event.decided_at else None,
        "latest": {
            "value": event.latest_value,
            "unit": event.latest_unit,
            "date": event.latest_date.isoformat() if event.latest_date else None,
            "series": {"name_zh": event.latest_series_zh, "name_en": event.latest_series_en},
        },
        "advice": {
            "meaning": {"zh": event.advice.meaning_zh, "en": event.advice.meaning_en},
            "actions": {"zh": list(event.advice.actions_zh), "en": list(event.advice.actions_en)},
        },
        "link": event.link,
    }


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def webhook_payload(message: Message, *, now: datetime) -> dict[str, Any]:
    """The payload object for ``message`` at ``now`` (aware)."""
    return {
        "type": PAYLOAD_TYPE,
        "version": SCHEMA_VERSION,
        "timestamp": _utc(now),
        "data": {
            "delivery_id": message.delivery_id,
            "enterprise": message.recipient.enterprise_name,
            "language": message.language.value,
            "issuer": (
                {
                    "name_zh": message.issuer.name_zh,
                    "name_en": message.issuer.name_en,
                    "contact": message.issuer.contact,
                }
                if message.issuer
                else None
            ),
            "events": [event_payload(e) for e in message.events],
        },
    }


def encode(payload: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON (Chinese stays readable): the exact bytes that are signed and sent."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
