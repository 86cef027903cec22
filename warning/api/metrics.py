"""What ``/metrics`` exports, in Prometheus' text format (``prometheus_client``).

Most families are read from the store at each scrape, so every web replica answers alike
whichever process did the work: feed runs and their rows by status, stale series, each
material's level, the review queue's size and its oldest item's age, deliveries by status
and channel with the attempts' latency as a histogram, scheduled job runs by status and each
job's last duration. The web requests' latency is this process's own histogram.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from typing import Final

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vocabulary import Level
from warning import clock, logs
from warning.clock import evaluation_date
from warning.context import ServiceContext
from warning.delivery.models import Delivery, DeliveryAttempt
from warning.evaluation.runs import latest_assessments
from warning.feeding.models import FeedRun
from warning.feeding.staleness import stale_series
from warning.review.models import ReviewItem
from warning.review.states import OPEN_STATES
from warning.store import aware, read_only
from warning.store.job_runs import JobRun

LATENCY_BUCKETS_S: Final = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
REQUEST_BUCKETS_S: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
ROWS: Final = ("rows_fetched", "accepted", "revised", "unchanged", "rejected", "suspect")


class StoreCollector(Collector):
    """The families read from the store at each scrape."""

    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    def collect(self) -> Iterator[Metric]:
        with read_only(self.context.factory) as session:
            yield from _feed_runs(session)
            yield from self._stale(session)
            yield from self._levels(session)
            yield from _review_queue(session, now=clock.now())
            yield from _deliveries(session)
            yield from _job_runs(session)

    def _stale(self, session: Session) -> Iterator[Metric]:
        stale = GaugeMetricFamily("warning_stale_series", "Stored series that are stale now")
        as_of = evaluation_date(self.context.settings)
        stale.add_metric([], len(stale_series(session, as_of=as_of)))
        yield stale

    def _levels(self, session: Session) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "warning_material_level",
            "Each material's level in its newest assessment (1 for the level it has)",
            labels=["material", "level"],
        )
        assessed = latest_assessments(session)
        for material in self.context.catalog.material_ids:
            found = assessed.get(material)
            current = str(found.level) if found is not None else Level.NO_DATA.value
            for level in Level:
                family.add_metric([material, level.value], 1.0 if level.value == current else 0.0)
        yield family


def _feed_runs(session: Session) -> Iterator[Metric]:
    runs = CounterMetricFamily(
        "warning_feed_runs", "Ingest runs by kind and status", labels=["kind", "status"]
    )
    rows = CounterMetricFamily(
        "warning_feed_rows", "Rows of ingest runs by kind and outcome", labels=["kind", "outcome"]
    )
    sums = [func.coalesce(func.sum(getattr(FeedRun, name)), 0) for name in ROWS]
    for kind, status, count in session.execute(
        select(FeedRun.kind, FeedRun.status, func.count()).group_by(FeedRun.kind, FeedRun.status)
    ):
        runs.add_metric([str(kind), str(status)], count)
    for kind, *totals in session.execute(select(FeedRun.kind, *sums).group_by(FeedRun.kind)):
        for name, total in zip(ROWS, totals, strict=True):
            rows.add_metric([str(kind), name], float(total))
    yield runs
    yield rows


def _review_queue(session: Session, *, now: datetime) -> Iterator[Metric]:
    size = GaugeMetricFamily(
        "warning_review_queue_items", "Open review items by state", labels=["state"]
    )
    counts = {
        state: count
        for state, count in session.execute(
            select(ReviewItem.state, func.count())
            .where(ReviewItem.state.in_(OPEN_STATES))
            .group_by(ReviewItem.state)
        )
    }
    for state in sorted(OPEN_STATES):
        size.add_metric([state.value], counts.get(state, 0))
    oldest = session.scalar(
        select(func.min(ReviewItem.created_at)).where(ReviewItem.state.in_(OPEN_STATES))
    )
    age = GaugeMetricFamily(
        "warning_review_queue_oldest_age_seconds",
        "Seconds the oldest open review item has waited (0 when none)",
    )
    since = aware(oldest)
    age.add_metric([], max(0.0, (now - since).total_seconds()) if since else 0.0)
    yield size
    yield age


def _deliveries(session: Session) -> Iterator[Metric]:
    family = GaugeMetricFamily(
        "warning_deliveries", "Deliveries by status and channel", labels=["status", "channel"]
    )
    for status, channel, count in session.execute(
        select(Delivery.status, Delivery.channel, func.count()).group_by(
            Delivery.status, Delivery.channel
        )
    ):
        family.add_metric([str(status), str(channel)], count)
    yield family
    latency = HistogramMetricFamily(
        "warning_delivery_latency_seconds",
        "Seconds each delivery attempt took, by channel",
        labels=["channel"],
    )
    seconds = DeliveryAttempt.latency_ms / 1000.0
    columns = [func.sum(case((seconds <= bound, 1), else_=0)) for bound in LATENCY_BUCKETS_S]
    for channel, count, total, *under in session.execute(
        select(Delivery.channel, func.count(), func.coalesce(func.sum(seconds), 0.0), *columns)
        .join(Delivery, Delivery.id == DeliveryAttempt.delivery_id)
        .where(DeliveryAttempt.latency_ms.is_not(None))
        .group_by(Delivery.channel)
    ):
        buckets = [
            (str(bound), float(n or 0)) for bound, n in zip(LATENCY_BUCKETS_S, under, strict=True)
        ]
        latency.add_metric([str(channel)], [*buckets, ("+Inf", float(count))], float(total))
    yield latency


def _job_runs(session: Session) -> Iterator[Metric]:
    runs = CounterMetricFamily(
        "warning_job_runs", "Scheduled job runs by job and status", labels=["job", "status"]
    )
    for job, status, count in session.execute(
        select(JobRun.job, JobRun.status, func.count()).group_by(JobRun.job, JobRun.status)
    ):
        runs.add_metric([job, str(status)], count)
    yield runs
    newest = (
        select(JobRun.job, func.max(JobRun.finished_at).label("at"))
        .where(JobRun.finished_at.is_not(None))
        .group_by(JobRun.job)
        .subquery()
    )
    durations = GaugeMetricFamily(
        "warning_job_last_duration_seconds",
        "Seconds each scheduled job's newest finished run took",
        labels=["job"],
    )
    for job, started, finished in session.execute(
        select(JobRun.job, JobRun.started_at, JobRun.finished_at).join(
            newest, (newest.c.job == JobRun.job) & (newest.c.at == JobRun.finished_at)
        )
    ):
        took = (aware(finished) or finished) - (aware(started) or started)
        durations.add_metric([job], max(0.0, took.total_seconds()))
    yield durations


def registry_for(context: ServiceContext) -> tuple[CollectorRegistry, Histogram]:
    """A registry of this app's own (tests build many apps in one process) with the store's
    families and the web requests' latency histogram."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StoreCollector(context))
    requests = Histogram(
        "warning_http_request_duration_seconds",
        "Seconds the web app took to answer, by method, route and status class",
        labelnames=["method", "route", "status"],
        buckets=REQUEST_BUCKETS_S,
        registry=registry,
    )
    return registry, requests


class RequestMetrics:
    """ASGI middleware: each request timed into the histogram by its route's template (not
    its path: ids would make a series each), and given a request id for the log lines
    (``X-Request-ID``, :mod:`warning.logs`)."""

    def __init__(self, app: ASGIApp, *, histogram: Histogram) -> None:
        self.app = app
        self.histogram = histogram

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = logs.new_request_id(given)
        token = logs.request_id.set(request_id)
        status = [500]
        started = time.perf_counter()

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                headers = list(message.get("headers") or [])
                headers.append((b"x-request-id", request_id.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "(unmatched)"
            self.histogram.labels(scope["method"], template, f"{status[0] // 100}xx").observe(
                time.perf_counter() - started
            )
            logs.request_id.reset(token)
