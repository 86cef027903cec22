"""WeCom group robot (企业微信群机器人): a markdown message; no signature.

The key in the URL (``...webhook/send?key=...``) is the only credential: the whole URL is a
secret (never logged: :func:`alerts.ssrf.redact`). WeCom markdown is a subset with
``<font color="warning|info|comment">``. Errors come back as HTTP 200 with a non-zero
``errcode``; 45009 (over 20 messages a minute) and -1 (system busy) are retryable.
"""

from __future__ import annotations

from typing import Any, Final

from alerts.channels._robot import post_to_robot
from alerts.channels.base import DeliveryContext
from alerts.model import DeliveryResult, EndpointKind, Message
from alerts.render import render_im

TRANSIENT_CODES: Final = {45009: 60.0, -1: 30.0}
MAX_BYTES: Final = 4096  # WeCom refuses markdown content longer than this (UTF-8 bytes)


def body(message: Message) -> dict[str, Any]:
    """``{"msgtype": "markdown", "markdown": {"content"}}``, cut to WeCom's 4096 bytes."""
    content = render_im(message, "wecom.md")
    encoded = content.encode("utf-8")
    if len(encoded) > MAX_BYTES:
        content = encoded[: MAX_BYTES - 3].decode("utf-8", "ignore") + "…"
    return {"msgtype": "markdown", "markdown": {"content": content}}


class WeComChannel:
    kind = EndpointKind.WECOM

    async def send(self, message: Message, context: DeliveryContext) -> DeliveryResult:
        return await post_to_robot(
            message,
            context,
            url=message.endpoint.url,
            body=body(message),
            code_fields=("errcode",),
            transient_codes=TRANSIENT_CODES,
        )


CHANNEL = WeComChannel()
