"""The delivery worker: route what is approved, claim what is due, send, record.

``warning deliver`` runs :func:`deliver_due` until nothing is due (``--loop`` keeps going);
``warning serve`` runs it every few seconds. Each round: route approved events not routed
yet (a safety net: approvals route their own events), claim due deliveries in one
transaction, send them with no transaction open (the alerts engine; a slow receiver never
blocks the others), and record every attempt in another.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections import Counter
from datetime import date
from typing import Final

from sqlalchemy.orm import Session

from alerts import HttpOptions, MailSettings, UrlPolicy, deliver_batch
from warning import clock
from warning.context import ServiceContext, secret_key
from warning.delivery.charts import price_chart
from warning.delivery.messages import Links, messages_for
from warning.delivery.models import DeliveryStatus
from warning.delivery.outbox import Recorded, claim_due, record_results, status_counts
from warning.delivery.policy import DeliveryPolicy
from warning.delivery.routing import repeat_active_reds, route_pending
from warning.evaluation.board import MaterialLine, material_lines
from warning.store import read_only, transaction

log = logging.getLogger(__name__)

DEMO_SMTP: Final = "smtp://127.0.0.1:8025"  # the demo's local catcher when no SMTP is set


def worker_name() -> str:
    """This process, as claims and attempts name it."""
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def mail_settings(context: ServiceContext) -> MailSettings:
    settings = context.settings
    return MailSettings(smtp_url=settings.smtp_url or DEMO_SMTP, mail_from=settings.mail_from)


def http_options(context: ServiceContext) -> HttpOptions:
    return HttpOptions(
        url_policy=UrlPolicy.from_text(context.settings.webhook_allow),
        now=clock.now,
        connect_timeout_s=5.0,
        total_timeout_s=15.0,
    )


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
    with read_only(context.factory) as session:
        lines = {line.material: line for line in material_lines(session, catalog=context.catalog)}
        charts = _ChartCache(session, lines, until=clock.now().date())
        links = Links(context.settings.public_url, secret_key(context.settings))
        built = messages_for(session, delivery_ids=claimed, links=links, lines=lines, chart=charts)
    results = deliver_batch(
        [message for _, message in built],
        now=clock.now,
        http=http_options(context),
        mail=mail_settings(context),
    )
    pairs = [(delivery_id, result) for (delivery_id, _), result in zip(built, results, strict=True)]
    with transaction(context.factory) as session:
        recorded = record_results(
            session, results=pairs, worker=worker, policy=policy, now=clock.now()
        )
    for delivery_id, result in pairs:
        if result.outcome != "ok":
            log.warning("delivery %d: %s %s", delivery_id, result.outcome, result.error or "")
    return list(recorded)


class _ChartCache:
    """One chart per material per round (matplotlib is slow; several messages share one)."""

    def __init__(self, session: Session, lines: dict[str, MaterialLine], *, until: date) -> None:
        self.session, self.lines, self.until = session, lines, until
        self.made: dict[str, bytes | None] = {}

    def __call__(self, material_id: str) -> bytes | None:
        if material_id not in self.made:
            line = self.lines.get(material_id)
            self.made[material_id] = (
                price_chart(self.session, line=line, until=self.until) if line else None
            )
        return self.made[material_id]


def delivery_counts(context: ServiceContext) -> dict[str, int]:
    """How many deliveries are in each status, in the whole outbox."""
    with read_only(context.factory) as session:
        return status_counts(session)


__all__ = ["DeliveryStatus", "deliver_due", "delivery_counts", "route"]
