"""DingTalk group robot (钉钉自定义机器人): a markdown message, signed with 加签.

Signing: ``timestamp`` in milliseconds; the string ``timestamp + "\\n" + secret`` is
HMAC-SHA256'd with the secret as key, base64'd, URL-encoded and appended to the URL as
``&timestamp=...&sign=...``. The server refuses timestamps more than an hour off. Errors come
back as HTTP 200 with a non-zero ``errcode``; 130101 (more than 20 messages a minute: the robot
is throttled for 10 minutes) and -1 (system busy) are retryable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from typing import Any, Final
from urllib.parse import quote_plus

from alerts.channels._robot import post_to_robot
from alerts.channels.base import DeliveryContext
from alerts.model import DeliveryResult, EndpointKind, Message
from alerts.render import render_im, subject

TRANSIENT_CODES: Final = {130101: 600.0, -1: 30.0}


def sign(timestamp_ms: int, secret: str) -> str:
    """base64(HMAC-SHA256(key=secret, msg=f"{timestamp_ms}\\n{secret}")), not yet URL-encoded."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_url(url: str, secret: str | None, now: datetime) -> str:
    """``url`` with ``&timestamp=&sign=`` appended when the robot has a 加签 secret."""
    if not secret:
        return url
    timestamp_ms = int(now.timestamp() * 1000)
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={quote_plus(sign(timestamp_ms, secret))}"


def body(message: Message) -> dict[str, Any]:
    """``{"msgtype": "markdown", "markdown": {"title", "text"}}``."""
    return {
        "msgtype": "markdown",
        "markdown": {"title": subject(message), "text": render_im(message, "dingtalk.md")},
        "at": {"isAtAll": False},
    }


class DingTalkChannel:
    kind = EndpointKind.DINGTALK

    async def send(self, message: Message, context: DeliveryContext) -> DeliveryResult:
        secret = message.endpoint.secrets[0] if message.endpoint.secrets else None
        return await post_to_robot(
            message,
            context,
            url=signed_url(message.endpoint.url, secret, context.now()),
            body=body(message),
            code_fields=("errcode",),
            transient_codes=TRANSIENT_CODES,
        )


CHANNEL = DingTalkChannel()
