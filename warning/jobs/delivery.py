"""The delivery worker: route what is approved, claim what is due, send, record.

``warning deliver`` runs :func:`deliver_due` until nothing is due (``--loop`` keeps going);
``warning serve`` runs it every few seconds. Each round: route the warning events decided
since the last round (the worker alone routes; decisions only write events), claim due
deliveries in one transaction, send them with no transaction open (warning notices through
the alerts engine's channels, digests and escalations as prepared emails; a slow receiver
never blocks the others), and record every attempt in another.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
from collections import Counter
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts import (
    Advice,
    DeliveryContext,
    DeliveryResult,
    HttpSender,
    Outcome,
    deliver_all,
)
from alerts.smtp import SmtpPool
from vocabulary import Direction, Level
from warning import clock
from warning.catalog.advice import advice_for
from warning.catalog.models import Series
from warning.context import ServiceContext, secret_key
from warning.delivery.charts import series_chart
from warning.delivery.issuer import issuer_of
from warning.delivery.messages import AdviceSource, Links, messages_for
from warning.delivery.models import DeliveryStatus
from warning.delivery.outbox import Recorded, claim_due, record_results, status_counts
from warning.delivery.policy import DeliveryPolicy
from warning.delivery.routing import repeat_active_reds, route_pending
from warning.delivery.test_send import test_messages
from warning.jobs.prepared import prepare, send_prepared
from warning.jobs.senders import http_options, mail_settings
from warning.store import read_only, transaction

log = logging.getLogger(__name__)

RECORD_EVERY_S = 0.25  # how often the recorder commits the results that arrived meanwhile


def worker_name() -> str:
    """This process, as claims and attempts name it."""
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def route(context: ServiceContext) -> int:
    """Route approved events not routed yet, and repeat active reds that are due; commit."""
    policy = DeliveryPolicy.from_settings(context.settings)
    with transaction(context.factory) as session:
        routed = route_pending(session, policy=policy, now=clock.now())
        repeated = repeat_active_reds(session, policy=policy, now=clock.now())
    return len(routed.notices) + len(repeated.notices)


def deliver_due(
    context: ServiceContext,
    *,
    loop: bool = False,
    poll_s: float = 5.0,
    stop: threading.Event | None = None,
    batch: int = 200,
) -> dict[str, int]:
    """Send what is due; with ``loop``, keep polling until ``stop`` is set. Counts by the
    status each delivery reached in this run (``sent``, ``retrying``, ``dead``)."""
    worker = worker_name()
    policy = DeliveryPolicy.from_settings(context.settings)
    totals: Counter[str] = Counter()
    stop = stop or threading.Event()
    while not stop.is_set():
        route(context)
        with transaction(context.factory) as session:
            claimed = claim_due(session, worker=worker, policy=policy, now=clock.now(), limit=batch)
        if claimed:
            totals.update(str(r.status) for r in _send(context, claimed, worker, policy))
        elif not loop:
            break
        else:
            stop.wait(poll_s)
    return {status: totals.get(status, 0) for status in ("sent", "retrying", "dead")}


def _send(
    context: ServiceContext, claimed: list[int], worker: str, policy: DeliveryPolicy
) -> list[Recorded]:
    """Send the claimed deliveries on one HTTP client and one SMTP connection, recording
    each attempt as soon as its result is known (:class:`_Recorder`; a worker killed
    mid-batch leaves only what was in flight to be sent again after the lease)."""
    mail = mail_settings(context)
    with read_only(context.factory) as session:
        charts = _ChartCache(session)
        links = Links(context.settings.public_url, secret_key(context.settings))
        built = messages_for(
            session,
            delivery_ids=claimed,
            links=links,
            chart=charts,
            advice=advice_source(context),
            issuer=issuer_of(context.settings),
            prices=context.settings.message_prices,
        )
        built += test_messages(
            session,
            delivery_ids=claimed,
            links=links,
            chart=charts,
            advice=advice_source(context),
            issuer=issuer_of(context.settings),
            prices=context.settings.message_prices,
            now=clock.now(),
        )
        emails = prepare(session, context, claimed, mail)
    recorder = _Recorder(context, worker=worker, policy=policy)
    handled = {delivery_id for delivery_id, _ in built} | {one.delivery_id for one in emails}
    for orphan in sorted(set(claimed) - handled):  # claimed with nothing to send: say so
        recorder.put(orphan, nothing_to_send(orphan))

    async def run() -> None:
        async with HttpSender(http_options(context)) as sender, SmtpPool(mail) as smtp:
            channels = DeliveryContext(now=clock.now, http=sender, mail=mail, smtp=smtp)
            await deliver_all(
                [message for _, message in built],
                channels,
                on_result=lambda index, result: recorder.put(built[index][0], result),
            )
            for one in emails:
                recorder.put(one.delivery_id, await send_prepared(one, smtp))

    try:
        asyncio.run(run())
    finally:
        recorder.close()
    return recorder.recorded


def nothing_to_send(delivery_id: int) -> DeliveryResult:
    """The result of a claimed delivery that carries no notice and no email (it is dead, with
    the reason, never left ``sending``)."""
    error = "nothing to send: the delivery carries no notice, digest or escalation"
    return DeliveryResult(Outcome.PERMANENT, f"delivery-{delivery_id}", 0.0, error=error)


class _Recorder:
    """Records attempts as their results arrive, on a thread of its own, every
    :data:`RECORD_EVERY_S`: each commit takes every result that arrived since the previous
    one (a group commit). Handing a result over only appends it to a list: the sending loop
    never wakes the recorder per result (each wake costs the loop the interpreter lock for a
    switch interval), and a worker killed mid-batch has recorded all but the last fraction
    of a second of results."""

    def __init__(self, context: ServiceContext, *, worker: str, policy: DeliveryPolicy) -> None:
        self.context, self.worker, self.policy = context, worker, policy
        self.lock = threading.Lock()
        self.pending: list[tuple[int, DeliveryResult]] = []
        self.closing = threading.Event()
        self.recorded: list[Recorded] = []
        self.thread = threading.Thread(target=self._run, name="delivery-recorder", daemon=True)
        self.thread.start()

    def put(self, delivery_id: int, result: DeliveryResult) -> None:
        with self.lock:
            self.pending.append((delivery_id, result))

    def close(self) -> None:
        """Record what is queued, then stop."""
        self.closing.set()
        self.thread.join()

    def _run(self) -> None:
        closing = False
        while not closing:
            closing = self.closing.wait(RECORD_EVERY_S)
            with self.lock:
                results, self.pending = self.pending, []
            if results:
                self._record(results)

    def _record(self, results: list[tuple[int, DeliveryResult]]) -> None:
        with transaction(self.context.factory) as session:
            self.recorded += record_results(
                session, results=results, worker=self.worker, policy=self.policy, now=clock.now()
            )
        for delivery_id, result in results:
            if result.outcome != "ok":
                log.warning("delivery %d: %s %s", delivery_id, result.outcome, result.error or "")


def advice_source(context: ServiceContext) -> AdviceSource:
    """What each level and direction mean and suggest, from the catalog (with the material's
    own overrides)."""

    def advice(material_id: str, level: Level, direction: Direction) -> Advice:
        try:
            found = advice_for(context.catalog, material_id, level, direction)
        except ValueError:  # normal, no data, or no direction: nothing to advise
            return Advice()
        return Advice(found.meaning_zh, found.meaning_en, found.actions_zh, found.actions_en)

    return advice


class _ChartCache:
    """One chart per series and data date per round (matplotlib is slow; several messages
    share one)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.made: dict[tuple[str, date | None], bytes | None] = {}

    def __call__(self, series_id: str, until: date | None) -> bytes | None:
        key = (series_id, until)
        if key not in self.made:
            unit = self.session.scalar(select(Series.unit).where(Series.id == series_id))
            self.made[key] = (
                series_chart(self.session, series_id=series_id, unit=unit, until=until)
                if until is not None
                else None
            )
        return self.made[key]


def delivery_counts(context: ServiceContext) -> dict[str, int]:
    """How many deliveries are in each status, in the whole outbox."""
    with read_only(context.factory) as session:
        return status_counts(session)


__all__ = ["DeliveryStatus", "deliver_due", "delivery_counts", "route"]
