"""``/readyz``, ``/metrics``, the request id and the JSON log lines, as a platform sees them."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session, sessionmaker

from alerts import EndpointKind
from tests.api.conftest import Api
from warning import logs
from warning.api.app import create_app
from warning.catalog import load_catalog
from warning.clock import FrozenClock, use_clock
from warning.context import ServiceContext
from warning.delivery.models import Delivery, DeliveryAttempt, DeliveryKind, DeliveryStatus
from warning.feeding.models import FeedRun, FeedRunKind, FeedRunStatus
from warning.settings import load_settings
from warning.store import job_runs, make_engine, session_factory, transaction

AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, by name and sorted labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_ready_on_a_migrated_store(api: Api) -> None:
    with use_clock(FrozenClock(AT)):
        answer = api.client.get("/readyz")
    assert (answer.status_code, answer.json()) == (200, {"status": "ready"})


def test_not_ready_on_a_store_that_is_not_migrated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    engine = make_engine(url)
    context = ServiceContext(
        load_settings(database_url=url), engine, session_factory(engine), load_catalog()
    )
    with TestClient(create_app(context)) as client:
        answer = client.get("/readyz")
    engine.dispose()
    assert answer.status_code == 503
    (reason,) = answer.json()["reasons"]
    assert "is at migration none" in reason and "warning init" in reason


def test_not_ready_when_a_check_of_the_process_fails(api: Api) -> None:
    app = api.client.app
    app.state.ready_checks.append(lambda: "the jobs process (pid 7) has exited")  # type: ignore[attr-defined]
    app.state.ready_checks.append(lambda: None)  # type: ignore[attr-defined]
    with use_clock(FrozenClock(AT)):
        answer = api.client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json() == {
        "status": "not ready",
        "reasons": ["the jobs process (pid 7) has exited"],
    }


def test_not_ready_ninety_days_before_the_trading_calendar_ends(api: Api) -> None:
    # the calendar knows Lunar New Year up to 2035: it ends on 2035-12-31
    with use_clock(FrozenClock(datetime(2035, 10, 2, 1, 0, tzinfo=UTC))):
        assert api.client.get("/readyz").status_code == 200  # 90 days left, to the day
    with use_clock(FrozenClock(datetime(2035, 10, 3, 1, 0, tzinfo=UTC))):
        answer = api.client.get("/readyz")
    assert answer.status_code == 503
    assert "trading calendar ends on 2035-12-31" in answer.json()["reasons"][0]


def _delivery(session: Session, status: DeliveryStatus, channel: EndpointKind) -> Delivery:
    delivery = Delivery(
        kind=DeliveryKind.DIGEST,
        address="desk@example.org",
        channel=channel,
        status=status,
        created_at=AT,
        send_after=AT,
        next_attempt_at=AT,
        attempts=1,
        payload="{}",
    )
    session.add(delivery)
    session.flush()
    return delivery


def _fill(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as session:
        session.add_all(
            FeedRun(
                feed="cu",
                kind=FeedRunKind.FEED,
                source="x",
                started_at=AT,
                status=status,
                rows_fetched=10,
                accepted=accepted,
                rejected=1,
            )
            for status, accepted in [
                (FeedRunStatus.OK, 4),
                (FeedRunStatus.OK, 3),
                (FeedRunStatus.FAILED, 0),
            ]
        )
        sent = _delivery(session, DeliveryStatus.SENT, EndpointKind.EMAIL)
        _delivery(session, DeliveryStatus.DEAD, EndpointKind.WEBHOOK)
        for latency_ms in (50.0, 51.0, 30_000.0):
            session.add(
                DeliveryAttempt(
                    delivery_id=sent.id, at=AT, worker="w", outcome="ok", latency_ms=latency_ms
                )
            )
        run_id = job_runs.claim(
            session, job="feed:cu", scheduled_for=AT, worker="w", now=AT, lease_s=60
        )
        assert run_id is not None
        job_runs.finish(session, run_id=run_id, worker="w", now=AT + timedelta(seconds=5))


def test_metrics_are_prometheus_text_read_from_the_store(api: Api) -> None:
    _fill(api.factory)
    api.client.get("/healthz")
    with use_clock(FrozenClock(AT)):
        answer = api.client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=")
    found = samples(answer.text)
    assert found[("warning_feed_runs_total", (("kind", "feed"), ("status", "ok")))] == 2
    assert found[("warning_feed_runs_total", (("kind", "feed"), ("status", "failed")))] == 1
    assert found[("warning_feed_rows_total", (("kind", "feed"), ("outcome", "accepted")))] == 7
    assert found[("warning_feed_rows_total", (("kind", "feed"), ("outcome", "rejected")))] == 3
    assert found[("warning_deliveries", (("channel", "email"), ("status", "sent")))] == 1
    assert found[("warning_deliveries", (("channel", "webhook"), ("status", "dead")))] == 1
    email = (("channel", "email"),)
    # 50 ms is in the 0.05 s bucket (le is inclusive), 51 ms is not; 30 s is in the 30 s one
    assert found[("warning_delivery_latency_seconds_bucket", (*email, ("le", "0.05")))] == 1
    assert found[("warning_delivery_latency_seconds_bucket", (*email, ("le", "0.1")))] == 2
    assert found[("warning_delivery_latency_seconds_bucket", (*email, ("le", "10.0")))] == 2
    assert found[("warning_delivery_latency_seconds_bucket", (*email, ("le", "30.0")))] == 3
    assert found[("warning_delivery_latency_seconds_count", email)] == 3
    assert found[("warning_delivery_latency_seconds_sum", email)] == pytest.approx(30.101)
    assert found[("warning_job_runs_total", (("job", "feed:cu"), ("status", "finished")))] == 1
    assert found[("warning_job_last_duration_seconds", (("job", "feed:cu"),))] == 5.0
    assert found[("warning_review_queue_items", (("state", "pending"),))] == 0
    assert found[("warning_review_queue_oldest_age_seconds", ())] == 0
    assert ("warning_stale_series", ()) in found
    copper = [
        key
        for key in found
        if key[0] == "warning_material_level" and ("material", "copper") in key[1]
    ]
    assert len(copper) == 5  # one per level, 1 for the one it has (no assessment: no data)
    assert found[("warning_material_level", (("level", "no_data"), ("material", "copper")))] == 1
    assert found[("warning_material_level", (("level", "red"), ("material", "copper")))] == 0
    healthz = (("method", "GET"), ("route", "/healthz"), ("status", "2xx"))
    assert found[("warning_http_request_duration_seconds_count", healthz)] == 1


def test_metrics_only_to_the_addresses_allowed(
    factory: sessionmaker[Session], database_url: str
) -> None:
    settings = load_settings(database_url=database_url, metrics_allow="10.0.0.0/8, 127.0.0.1")
    engine = make_engine(database_url)
    context = ServiceContext(settings, engine, factory, load_catalog())
    app = create_app(context)
    try:
        with TestClient(app, client=("10.1.2.3", 5000)) as inside:
            assert inside.get("/metrics").status_code == 200
        with TestClient(app, client=("127.0.0.2", 5000)) as outside:
            refused = outside.get("/metrics")
            assert outside.get("/readyz").status_code == 200  # readiness is for everyone
    finally:
        engine.dispose()
    assert refused.status_code == 403
    assert "warning_" not in refused.text


def test_each_answer_carries_a_request_id(api: Api) -> None:
    given = api.client.get("/healthz", headers={"X-Request-ID": "lb-1234.abc"})
    assert given.headers["x-request-id"] == "lb-1234.abc"
    made = api.client.get("/healthz", headers={"X-Request-ID": "bad id\twith tab"})
    fresh = api.client.get("/healthz")
    assert len(made.headers["x-request-id"]) == 32 != len("bad id\twith tab")
    assert fresh.headers["x-request-id"] not in (made.headers["x-request-id"], "")


def test_json_log_lines_carry_the_job_id(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    before = list(root.handlers), root.level
    try:
        logs.configure("json")
        with logs.job("feed:cu@2026-12-07T09:00:00+00:00"):
            logging.getLogger("warning.test").info("feed %s: %s", "cu", "ok")
        logging.getLogger("warning.test").warning("outside")
    finally:
        root.handlers[:], root.level = before
    first, second = (json.loads(line) for line in capsys.readouterr().err.splitlines())
    assert first["message"] == "feed cu: ok" and first["level"] == "INFO"
    assert first["job_id"] == "feed:cu@2026-12-07T09:00:00+00:00"
    assert first["request_id"] == "-" and first["logger"] == "warning.test"
    assert (second["job_id"], second["level"]) == ("-", "WARNING")
