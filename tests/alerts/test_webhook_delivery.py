"""Webhooks against a real receiver on loopback that checks Standard Webhooks signatures with
its own HMAC code; the payload against the published JSON Schema; HTTP faults."""

from __future__ import annotations

import json
import time
from pathlib import Path

import jsonschema
import pytest

from alerts import EndpointKind, Language, Outcome, deliver, deliver_all
from alerts.channels.webhook import signed_request
from alerts.http import classify_status, retry_after_seconds
from tests.alerts.conftest import (
    Receiver,
    Reply,
    run_with_sender,
    verify_standard_webhook,
)
from tests.alerts.samples import NOW, OLD_SECRET, SECRET, event, message

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "webhook-payload.schema.json").read_text()
)


def test_the_receivers_check_agrees_with_the_specifications_example() -> None:
    """The independent verifier reproduces the Standard Webhooks test vector."""
    headers = {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    }
    body = b'{"test": 2432232314}'
    assert verify_standard_webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", headers, body)
    assert not verify_standard_webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSx", headers, body)


def test_a_signed_webhook_is_accepted_by_an_independent_verifier(receiver: Receiver) -> None:
    receiver.verify_with(SECRET)
    sent = message(EndpointKind.WEBHOOK, url=receiver.url + "/hooks/warnings")
    result = run_with_sender(lambda ctx: deliver(sent, ctx))
    assert result.outcome is Outcome.OK, result.error
    got = receiver.received[0]
    assert got.signature_ok is True
    assert got.path == "/hooks/warnings"
    assert got.headers["webhook-id"] == sent.delivery_id == result.delivery_id
    assert got.headers["webhook-timestamp"] == str(int(NOW.timestamp()))
    assert got.headers["content-type"].startswith("application/json")
    jsonschema.validate(got.json(), SCHEMA)
    assert got.json()["data"]["events"][0]["material"]["name_zh"] == "铜"


def test_during_a_rotation_both_secrets_verify(receiver: Receiver) -> None:
    sent = message(EndpointKind.WEBHOOK, url=receiver.url, secrets=(SECRET, OLD_SECRET))
    for secret in (SECRET, OLD_SECRET):
        receiver.verify_with(secret)
        result = run_with_sender(lambda ctx: deliver(sent, ctx))
        assert result.ok, result.error
    assert [r.signature_ok for r in receiver.received] == [True, True]
    signatures = receiver.received[0].headers["webhook-signature"].split(" ")
    assert len(signatures) == 2 and all(s.startswith("v1,") for s in signatures)


def test_a_wrong_secret_is_caught_by_the_receiver(receiver: Receiver) -> None:
    receiver.verify_with(OLD_SECRET)
    result = run_with_sender(lambda ctx: deliver(message(url=receiver.url), ctx))
    assert result.outcome is Outcome.PERMANENT and result.status_code == 401


def test_the_webhook_id_is_stable_per_event_and_endpoint() -> None:
    first = signed_request(message(), now=NOW)
    again = signed_request(message(), now=NOW.replace(hour=13))
    other_endpoint = signed_request(message(endpoint_id="ep-10"), now=NOW)
    other_event = signed_request(message(EndpointKind.WEBHOOK, event(event_id="e-102")), now=NOW)
    assert first.headers["webhook-id"] == again.headers["webhook-id"]
    assert first.headers["webhook-id"] != other_endpoint.headers["webhook-id"]
    assert first.headers["webhook-id"] != other_event.headers["webhook-id"]


@pytest.mark.parametrize("language", list(Language))
def test_payloads_match_the_published_schema(language: Language) -> None:
    events = (
        event(),
        event(
            event_id="e-7",
            material_id="nickel",
            latest_value=None,
            latest_date=None,
            chart=None,
            reasons_zh=(),
            reasons_en=(),
        ),
    )
    request = signed_request(message(EndpointKind.WEBHOOK, *events, language=language), now=NOW)
    payload = json.loads(request.body)
    jsonschema.validate(payload, SCHEMA)
    assert payload["type"] == "warning.notification"
    assert payload["timestamp"] == "2026-03-03T12:00:00Z"
    broken = {**payload, "data": {**payload["data"], "events": [{"level": "purple"}]}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA)


def test_a_500_is_retryable_and_the_next_attempt_succeeds(receiver: Receiver) -> None:
    receiver.serve(Reply(500, b"oops"), Reply(200, b"ok"))
    sent = message(url=receiver.url)
    first = run_with_sender(lambda ctx: deliver(sent, ctx))
    second = run_with_sender(lambda ctx: deliver(sent, ctx))
    assert (first.outcome, first.status_code) == (Outcome.RETRYABLE, 500)
    assert (second.outcome, second.status_code) == (Outcome.OK, 200)
    ids = {r.headers["webhook-id"] for r in receiver.received}
    assert ids == {sent.delivery_id}  # the retry carries the same id


def test_429_with_retry_after_is_retryable_after_that_wait(receiver: Receiver) -> None:
    receiver.serve(Reply(429, b"slow down", {"Retry-After": "120"}))
    result = run_with_sender(lambda ctx: deliver(message(url=receiver.url), ctx))
    assert result.outcome is Outcome.RETRYABLE
    assert (result.status_code, result.retry_after_s) == (429, 120.0)


def test_410_is_permanent_and_disables_the_endpoint(receiver: Receiver) -> None:
    receiver.serve(Reply(410, b"gone"))
    result = run_with_sender(lambda ctx: deliver(message(url=receiver.url), ctx))
    assert result.outcome is Outcome.PERMANENT and result.disable_endpoint


def test_a_slow_receiver_hits_the_total_timeout_without_holding_the_others(
    receiver: Receiver,
) -> None:
    """One receiver answers after 3 s; the total timeout is 0.5 s. The slow delivery is
    retryable, and nine fast ones sent at the same time all succeed within the second."""
    slow_path = "/slow"
    receiver.serve(lambda path: Reply(200, b"ok", delay_s=3.0 if path == slow_path else 0.0))
    messages = [message(url=receiver.url + slow_path)] + [
        message(EndpointKind.WEBHOOK, event(event_id=f"e-{i}"), url=receiver.url + "/fast")
        for i in range(9)
    ]
    started = time.monotonic()
    results = run_with_sender(lambda ctx: deliver_all(messages, ctx), total_timeout_s=0.5)
    elapsed = time.monotonic() - started
    assert results[0].outcome is Outcome.RETRYABLE
    assert "0.5 s" in (results[0].error or "")
    assert [r.error for r in results[1:]] == [None] * 9
    assert elapsed < 2.0


def test_connection_refused_is_retryable(unused_port: int) -> None:
    result = run_with_sender(
        lambda ctx: deliver(message(url=f"http://127.0.0.1:{unused_port}/hook"), ctx)
    )
    assert result.outcome is Outcome.RETRYABLE


def test_a_connect_timeout_is_retryable() -> None:
    """A listening socket whose backlog is full never completes the handshake in time."""
    import socket

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        port = server.getsockname()[1]
        fillers = []
        for _ in range(8):  # fill the accept queue so further connects hang
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)
        try:
            result = run_with_sender(
                lambda ctx: deliver(message(url=f"http://127.0.0.1:{port}/hook"), ctx),
                connect_timeout_s=0.3,
                total_timeout_s=1.0,
            )
        finally:
            for filler in fillers:
                filler.close()
    assert result.outcome is Outcome.RETRYABLE
    assert result.latency_s < 1.5


@pytest.mark.parametrize(
    ("status", "headers", "outcome", "wait", "disable"),
    [
        (200, {}, Outcome.OK, None, False),
        (204, {}, Outcome.OK, None, False),
        (301, {"Location": "https://elsewhere/"}, Outcome.PERMANENT, None, False),
        (400, {}, Outcome.PERMANENT, None, False),
        (401, {}, Outcome.PERMANENT, None, False),
        (404, {}, Outcome.PERMANENT, None, False),
        (408, {}, Outcome.RETRYABLE, None, False),
        (410, {}, Outcome.PERMANENT, None, True),
        (413, {}, Outcome.PERMANENT, None, False),
        (429, {"Retry-After": "30"}, Outcome.RETRYABLE, 30.0, False),
        (500, {}, Outcome.RETRYABLE, None, False),
        (502, {}, Outcome.RETRYABLE, None, False),
        (503, {"Retry-After": "Tue, 03 Mar 2026 12:02:00 GMT"}, Outcome.RETRYABLE, 120.0, False),
        (504, {}, Outcome.RETRYABLE, None, False),
    ],
)
def test_status_table(
    status: int, headers: dict[str, str], outcome: Outcome, wait: float | None, disable: bool
) -> None:
    got_outcome, _error, got_wait, got_disable = classify_status(status, headers, NOW)
    assert (got_outcome, got_wait, got_disable) == (outcome, wait, disable)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (None, None),
        ("", None),
        ("0", 0.0),
        ("45", 45.0),
        ("Tue, 03 Mar 2026 12:00:30 GMT", 30.0),
        ("Tue, 03 Mar 2026 11:00:00 GMT", 0.0),
        ("soon", None),
    ],
)
def test_retry_after(value: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(value, now=NOW) == seconds
