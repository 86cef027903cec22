"""Generic webhook, signed per Standard Webhooks with the ``standardwebhooks`` library.

Headers ``webhook-id`` (the message's :attr:`~alerts.model.Message.delivery_id`: stable for one
event and one endpoint, so receivers drop duplicates), ``webhook-timestamp`` (Unix seconds,
from the service's clock) and ``webhook-signature``: ``v1,<base64>`` for every secret of the
endpoint, separated by spaces, so both the old and the new secret verify during a rotation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from standardwebhooks import Webhook
from standardwebhooks.webhooks import EmptyWebhookSecretError

from alerts.channels.base import DeliveryContext, not_configured
from alerts.model import DeliveryResult, EndpointKind, Message, Outcome, as_utc_seconds
from alerts.payload import encode, webhook_payload


@dataclass(frozen=True)
class SignedRequest:
    """What a webhook POST carries: the URL, the headers and the exact body bytes."""

    url: str
    headers: dict[str, str]
    body: bytes


def sign(msg_id: str, moment: datetime, body: bytes, secrets: tuple[str, ...]) -> str:
    """The ``webhook-signature`` header: one ``v1,...`` per secret (``whsec_`` + base64)."""
    utc = moment.astimezone(UTC)
    text = body.decode("utf-8")
    return " ".join(Webhook(secret).sign(msg_id, utc, text) for secret in secrets)


def signed_request(message: Message, *, now: datetime) -> SignedRequest:
    """The request for ``message`` at ``now``; raises ValueError when the endpoint has no secret."""
    if not message.endpoint.secrets:
        raise ValueError("a webhook endpoint needs at least one secret (whsec_...)")
    body = encode(webhook_payload(message, now=now))
    msg_id = message.delivery_id
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(as_utc_seconds(now)),
        "webhook-signature": sign(msg_id, now, body, message.endpoint.secrets),
    }
    return SignedRequest(message.endpoint.url, headers, body)


class WebhookChannel:
    kind = EndpointKind.WEBHOOK

    async def send(self, message: Message, context: DeliveryContext) -> DeliveryResult:
        if context.http is None:
            return not_configured(message, "the HTTP sender")
        try:
            request = signed_request(message, now=context.now())
        except (ValueError, EmptyWebhookSecretError) as error:  # or a secret not in base64
            return DeliveryResult(Outcome.PERMANENT, message.delivery_id, 0.0, error=str(error))
        posted = await context.http.post(
            request.url,
            content=request.body,
            headers=request.headers,
            delivery_id=message.delivery_id,
        )
        return posted.result


CHANNEL = WebhookChannel()
