"""Sample warning events, recipients and endpoints for the alerts tests (fictional names)."""

from __future__ import annotations

import base64
import io
import struct
import zlib
from dataclasses import replace
from datetime import UTC, date, datetime

from alerts import (
    Chart,
    Endpoint,
    EndpointKind,
    Language,
    Message,
    NoticeKind,
    Recipient,
    WarningEvent,
)
from vocabulary import Direction, Level

NOW = datetime(2026, 3, 3, 12, 0, 0, tzinfo=UTC)
SECRET = "whsec_" + base64.b64encode(b"test-secret-key-0123456789abcdef").decode()
OLD_SECRET = "whsec_" + base64.b64encode(b"old-secret-key-9876543210fedcba").decode()


def tiny_png() -> bytes:
    """A valid 1x1 PNG, built by hand (no image library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xd9\x53\x4f")
    out = io.BytesIO()
    out.write(b"\x89PNG\r\n\x1a\n")
    for kind, data in ((b"IHDR", header), (b"IDAT", pixels), (b"IEND", b"")):
        out.write(chunk(kind, data))
    return out.getvalue()


PNG = tiny_png()


def event(**overrides: object) -> WarningEvent:
    fields: dict[str, object] = {
        "warning_id": "w-17",
        "event_id": "e-101",
        "change": NoticeKind.NEW,
        "material_id": "copper",
        "material_zh": "铜",
        "material_en": "Copper",
        "level": Level.RED,
        "direction": Direction.UP,
        "basis": "SHFE CU0 settlement, monthly",
        "reasons_zh": ("价格较 12 个月均值高 2.6 个标准差", "库存降至五年低位"),
        "reasons_en": (
            "Price 2.6 standard deviations above its 12-month mean",
            "Stocks at a 5-year low",
        ),
        "since": date(2026, 2, 27),
        "latest_value": 98450.0,
        "latest_unit": "元/吨",
        "latest_date": date(2026, 3, 2),
        "link": "https://warning.example.gov.cn/warnings/17",
        "chart": Chart(PNG, alt="铜价走势"),
    }
    fields.update(overrides)
    return WarningEvent(**fields)  # type: ignore[arg-type]


def recipient(language: Language = Language.ZH, **overrides: object) -> Recipient:
    fields: dict[str, object] = {
        "contact_name": "张示例" if language is Language.ZH else "Alex Example",
        "email": "zhang@fictional-metals.example",
        "language": language,
        "enterprise_name": "虚构有色金属股份有限公司",
        "unsubscribe_url": "https://warning.example.gov.cn/unsubscribe?t=signed-token",
    }
    fields.update(overrides)
    return Recipient(**fields)  # type: ignore[arg-type]


def endpoint(kind: EndpointKind = EndpointKind.WEBHOOK, **overrides: object) -> Endpoint:
    fields: dict[str, object] = {
        "endpoint_id": "ep-9",
        "kind": kind,
        "url": "https://hooks.fictional-metals.example/warnings",
        "secrets": (SECRET,),
    }
    fields.update(overrides)
    return Endpoint(**fields)  # type: ignore[arg-type]


def message(
    kind: EndpointKind = EndpointKind.WEBHOOK,
    *events: WarningEvent,
    language: Language = Language.ZH,
    **endpoint_fields: object,
) -> Message:
    return Message(
        recipient=recipient(language),
        endpoint=endpoint(kind, **endpoint_fields),
        events=events or (event(),),
    )


__all__ = ["NOW", "OLD_SECRET", "PNG", "SECRET", "event", "message", "recipient", "replace"]
