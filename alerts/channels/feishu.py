"""Feishu / Lark custom bot (飞书自定义机器人): an interactive card, signed when the bot has a
secret.

Signing (the official sample): ``timestamp`` in **seconds**; the string
``timestamp + "\\n" + secret`` is the HMAC-SHA256 **key**, the message is empty; base64; sent as
``"timestamp"`` and ``"sign"`` in the JSON body. (Samples that use the secret as the key are
wrong.) Errors come back with a non-zero ``code`` (``StatusCode`` in older answers); 11232
(frequency limited) and 99991400 (request frequency limit) are retryable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from typing import Any, Final

from alerts.channels._robot import post_to_robot
from alerts.channels.base import DeliveryContext
from alerts.labels import LABELS
from alerts.model import DeliveryResult, EndpointKind, Message, most_severe
from alerts.render import render_im, subject
from vocabulary import Level

TRANSIENT_CODES: Final = {11232: 60.0, 99991400: 60.0}
HEADER_TEMPLATES: Final = {
    Level.RED: "red",
    Level.YELLOW: "orange",
    Level.BLUE: "blue",
    Level.NORMAL: "green",
    Level.NO_DATA: "grey",
}


def sign(timestamp_s: int, secret: str) -> str:
    """base64(HMAC-SHA256(key=f"{timestamp_s}\\n{secret}", msg=b""))."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def card(message: Message) -> dict[str, Any]:
    """The interactive card: a coloured header, the events in lark_md, a button per link."""
    t = LABELS[message.language]
    links = dict.fromkeys(e.link for e in message.events if e.link)
    buttons = [
        {
            "tag": "button",
            "text": {"tag": "plain_text", "content": t.details},
            "type": "primary" if index == 0 else "default",
            "url": link,
        }
        for index, link in enumerate(list(links)[:3])
    ]
    elements: list[dict[str, Any]] = [
        {"tag": "div", "text": {"tag": "lark_md", "content": render_im(message, "feishu.md")}}
    ]
    if buttons:
        elements.append({"tag": "action", "actions": buttons})
    return {
        "config": {"wide_screen_mode": True},
        "header": {
            "title": {"tag": "plain_text", "content": subject(message)},
            "template": HEADER_TEMPLATES[most_severe(message.events)],
        },
        "elements": elements,
    }


def body(message: Message, secret: str | None, now: datetime) -> dict[str, Any]:
    """``{"msg_type": "interactive", "card": ...}`` plus ``timestamp`` and ``sign`` if signed."""
    payload: dict[str, Any] = {"msg_type": "interactive", "card": card(message)}
    if secret:
        timestamp_s = int(now.timestamp())
        payload = {"timestamp": str(timestamp_s), "sign": sign(timestamp_s, secret), **payload}
    return payload


class FeishuChannel:
    kind = EndpointKind.FEISHU

    async def send(self, message: Message, context: DeliveryContext) -> DeliveryResult:
        secret = message.endpoint.secrets[0] if message.endpoint.secrets else None
        return await post_to_robot(
            message,
            context,
            url=message.endpoint.url,
            body=body(message, secret, context.now()),
            code_fields=("code", "StatusCode"),
            transient_codes=TRANSIENT_CODES,
        )


CHANNEL = FeishuChannel()
