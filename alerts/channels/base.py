"""What every channel module provides, and what it is given.

A channel is an object with a ``kind`` (an :class:`~alerts.model.EndpointKind`) and
``async send(message, context) -> DeliveryResult``. It never raises for delivery trouble:
the result says ok, retryable (with ``retry_after_s`` when the receiver gave one) or permanent
(and whether to disable the endpoint). The context carries the clock and the senders; the
engine reads no clock and no setting of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from alerts.http import HttpSender
from alerts.model import DeliveryResult, EndpointKind, Message, Outcome
from alerts.smtp import MailSettings, SmtpPool


@dataclass(frozen=True)
class DeliveryContext:
    """The service's clock (aware UTC) and the senders it opened: an :class:`HttpSender` for
    webhooks and robots, :class:`MailSettings` for email and, for a batch, a
    :class:`SmtpPool` of connections its emails share. A channel whose sender is missing
    answers with a permanent failure that says so."""

    now: Callable[[], datetime]
    http: HttpSender | None = None
    mail: MailSettings | None = None
    smtp: SmtpPool | None = None  # connections kept across the batch (else one each)


class Channel(Protocol):
    """A kind of endpoint, registered in :data:`alerts.channels.CHANNELS` under ``kind``."""

    kind: EndpointKind

    async def send(self, message: Message, context: DeliveryContext) -> DeliveryResult:
        """Deliver ``message``; never raises for network, HTTP or SMTP trouble."""
        ...


def not_configured(message: Message, what: str) -> DeliveryResult:
    """The result when the context lacks the sender a channel needs."""
    return DeliveryResult(
        Outcome.PERMANENT, message.delivery_id, 0.0, error=f"{what} is not configured"
    )
