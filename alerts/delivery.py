"""Delivering messages: the one entry point the service's worker calls.

``await deliver(message, context)`` finds the channel for the endpoint's kind and returns its
:class:`~alerts.model.DeliveryResult`; ``await deliver_all(messages, context, concurrency=...)``
sends many at once (a slow receiver holds one slot, never the others) and returns the results
in the same order; :func:`deliver_batch` does the same for a synchronous caller. None raises:
an unknown kind or a bug in a channel becomes a permanent result whose error says so, so that
one bad message never stops a batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime

from alerts.channels import CHANNELS, DeliveryContext
from alerts.http import HttpOptions, HttpSender
from alerts.model import DeliveryResult, Message, Outcome
from alerts.smtp import MailSettings


async def deliver(message: Message, context: DeliveryContext) -> DeliveryResult:
    """Send ``message`` through the channel of its endpoint's kind."""
    channel = CHANNELS.get(message.endpoint.kind)
    if channel is None:
        error = f"no channel for endpoint kind {message.endpoint.kind!r}"
        return DeliveryResult(Outcome.PERMANENT, message.delivery_id, 0.0, error=error)
    try:
        return await channel.send(message, context)
    except Exception as error:  # a bug must not lose the batch: record it, operators replay
        problem = (
            f"engine error in the {message.endpoint.kind} channel: {type(error).__name__}: {error}"
        )
        return DeliveryResult(Outcome.PERMANENT, message.delivery_id, 0.0, error=problem)


async def deliver_all(
    messages: Sequence[Message], context: DeliveryContext, *, concurrency: int = 50
) -> list[DeliveryResult]:
    """Send every message, at most ``concurrency`` at a time; results in the messages' order."""
    slots = asyncio.Semaphore(concurrency)

    async def one(message: Message) -> DeliveryResult:
        async with slots:
            return await deliver(message, context)

    return list(await asyncio.gather(*(one(m) for m in messages)))


def deliver_batch(
    messages: Sequence[Message],
    *,
    now: Callable[[], datetime],
    http: HttpOptions | None = None,
    mail: MailSettings | None = None,
    concurrency: int = 50,
) -> list[DeliveryResult]:
    """For a synchronous caller (the delivery worker): open an :class:`HttpSender` when
    ``http`` is given, send every message with :func:`deliver_all` in a fresh event loop,
    close the sender, and return the results in the messages' order."""

    async def run() -> list[DeliveryResult]:
        if http is None:
            context = DeliveryContext(now=now, mail=mail)
            return await deliver_all(messages, context, concurrency=concurrency)
        async with HttpSender(http) as sender:
            context = DeliveryContext(now=now, http=sender, mail=mail)
            return await deliver_all(messages, context, concurrency=concurrency)

    return asyncio.run(run())
