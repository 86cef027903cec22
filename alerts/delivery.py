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
import contextlib
from collections.abc import Callable, Sequence
from datetime import datetime

from alerts.channels import CHANNELS, DeliveryContext
from alerts.http import HttpOptions, HttpSender
from alerts.model import DeliveryResult, Message, Outcome
from alerts.smtp import MailSettings, SmtpPool


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


OnResult = Callable[[int, DeliveryResult], None]  # (index in the batch, its result)


async def deliver_all(
    messages: Sequence[Message],
    context: DeliveryContext,
    *,
    concurrency: int = 50,
    on_result: OnResult | None = None,
) -> list[DeliveryResult]:
    """Send every message, at most ``concurrency`` at a time; results in the messages' order.
    ``on_result`` hears each result as soon as it is known (the worker records it there, so
    a worker killed mid-batch sends again only what was in flight)."""
    slots = asyncio.Semaphore(concurrency)

    async def one(index: int, message: Message) -> DeliveryResult:
        async with slots:
            result = await deliver(message, context)
        if on_result is not None:
            on_result(index, result)
        return result

    return list(await asyncio.gather(*(one(i, m) for i, m in enumerate(messages))))


def deliver_batch(
    messages: Sequence[Message],
    *,
    now: Callable[[], datetime],
    http: HttpOptions | None = None,
    mail: MailSettings | None = None,
    concurrency: int = 50,
    on_result: OnResult | None = None,
) -> list[DeliveryResult]:
    """For a synchronous caller: open an :class:`HttpSender` when ``http`` is given and one
    :class:`SmtpPool` for the batch's emails when ``mail`` is, send every message with
    :func:`deliver_all` in a fresh event loop, close both, and return the results in the
    messages' order."""

    async def run() -> list[DeliveryResult]:
        async with contextlib.AsyncExitStack() as stack:
            sender = await stack.enter_async_context(HttpSender(http)) if http else None
            smtp = await stack.enter_async_context(SmtpPool(mail)) if mail else None
            context = DeliveryContext(now=now, http=sender, mail=mail, smtp=smtp)
            return await deliver_all(
                messages, context, concurrency=concurrency, on_result=on_result
            )

    return asyncio.run(run())
