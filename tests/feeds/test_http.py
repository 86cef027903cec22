"""feeds.http: retries, backoff, Retry-After, conditional requests, size cap, User-Agent."""

from __future__ import annotations

import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import httpx
import pytest

from feeds.http import (
    USER_AGENT,
    HttpFetchError,
    HttpPolicy,
    _retry_after,
    deadline_client,
    get,
)
from feeds.result import Validators
from tests.support.loopback import LoopbackServer, Reply

FIXED_NOW = datetime(2026, 3, 3, 12, 0, 0, tzinfo=UTC)


def policy(waits: list[float], **overrides: object) -> HttpPolicy:
    fields: dict[str, object] = {
        "timeout_s": 2.0,
        "attempts": 3,
        "sleep": waits.append,
        "rng": random.Random(7),
        "clock": lambda: FIXED_NOW,
    }
    fields.update(overrides)
    return HttpPolicy(**fields)  # type: ignore[arg-type]


def mock_client(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler))


def sequence(*responses: httpx.Response) -> tuple[Callable[[httpx.Request], httpx.Response], list]:
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return handler, seen


@pytest.mark.parametrize(
    ("status", "attempts_made", "retried"),
    [
        (500, 3, True),
        (502, 3, True),
        (503, 3, True),
        (429, 3, True),
        (404, 1, False),
        (401, 1, False),
        (400, 1, False),
    ],
)
def test_retries_on_5xx_and_429_only(status: int, attempts_made: int, retried: bool) -> None:
    handler, seen = sequence(httpx.Response(status))
    waits: list[float] = []
    with pytest.raises(HttpFetchError) as caught:
        get("https://feed.test/x.csv", client=mock_client(handler), policy=policy(waits))
    assert len(seen) == attempts_made
    assert caught.value.status == status
    assert str(status) in str(caught.value) and "https://feed.test/x.csv" in str(caught.value)
    assert len(waits) == (attempts_made - 1 if retried else 0)


def test_500_then_success_on_a_real_server(server: LoopbackServer) -> None:
    server.serve(Reply(status=500), Reply(status=200, body=b"date,close\n2024-01-02,1\n"))
    waits: list[float] = []
    with httpx.Client() as client:
        body = get(f"{server.url}/a.csv", client=client, policy=policy(waits))
    assert body.content == b"date,close\n2024-01-02,1\n"
    assert body.attempts == 2 and len(server.requests) == 2 and len(waits) == 1


def test_429_retry_after_seconds_is_honoured(server: LoopbackServer) -> None:
    server.serve(Reply(status=429, headers={"Retry-After": "7"}), Reply(body=b"ok"))
    waits: list[float] = []
    with httpx.Client() as client:
        body = get(f"{server.url}/a", client=client, policy=policy(waits, backoff_base_s=0.01))
    assert body.content == b"ok"
    assert waits == [7.0]


def test_retry_after_longer_than_allowed_gives_up_at_once() -> None:
    handler, seen = sequence(httpx.Response(429, headers={"Retry-After": "3600"}))
    waits: list[float] = []
    with pytest.raises(HttpFetchError, match="asks to wait 3600 s"):
        get("https://feed.test/", client=mock_client(handler), policy=policy(waits))
    assert len(seen) == 1 and waits == []


def test_retry_after_as_http_date() -> None:
    now = FIXED_NOW
    assert _retry_after("Tue, 03 Mar 2026 12:00:30 GMT", now=now) == 30.0
    assert _retry_after("not a date", now=now) is None
    assert _retry_after(None, now=now) is None


def test_retry_after_http_date_is_read_against_the_policy_clock() -> None:
    answers = iter(
        [
            httpx.Response(429, headers={"Retry-After": "Tue, 03 Mar 2026 12:00:45 GMT"}),
            httpx.Response(200, content=b"ok"),
        ]
    )
    waits: list[float] = []
    body = get(
        "https://feed.test/",
        client=mock_client(lambda _request: next(answers)),
        policy=policy(waits, backoff_base_s=0.001),
    )
    assert body.content == b"ok"
    assert waits == [45.0]  # 45 s after the injected clock's time, not the wall clock's


def test_backoff_is_exponential_with_jitter_and_capped() -> None:
    p = HttpPolicy(
        backoff_base_s=1.0, backoff_max_s=8.0, rng=random.Random(1), clock=lambda: FIXED_NOW
    )
    samples = {attempt: [p.backoff(attempt) for _ in range(200)] for attempt in (1, 2, 3, 6)}
    assert all(0 <= s <= 1.0 for s in samples[1])
    assert all(0 <= s <= 2.0 for s in samples[2]) and max(samples[2]) > 1.0
    assert all(0 <= s <= 8.0 for s in samples[6]) and max(samples[6]) > 4.0
    assert len(set(samples[3])) > 100  # jittered, not a fixed delay


def test_timeout_on_a_real_server_is_retried_then_reported(server: LoopbackServer) -> None:
    server.serve(Reply(body=b"late", delay_s=1.0))
    waits: list[float] = []
    with httpx.Client() as client, pytest.raises(HttpFetchError, match=r"timed out after 0\.2 s"):
        get(f"{server.url}/slow", client=client, policy=policy(waits, timeout_s=0.2, attempts=2))
    assert len(waits) == 1


def test_a_body_dripped_slowly_is_abandoned_at_the_deadline(server: LoopbackServer) -> None:
    """Each byte arrives well within the read timeout, but the request as a whole may take
    no longer than ``timeout_s``: 120 bytes at 20 a second would take 6 s."""
    server.serve(Reply(body=b"date,close\n" + b"2024-01-02,1\n" * 9, drip_every_s=0.05))
    waits: list[float] = []
    started = time.monotonic()
    with httpx.Client() as client, pytest.raises(HttpFetchError) as caught:
        get(f"{server.url}/drip", client=client, policy=policy(waits, timeout_s=1.0, attempts=1))
    took = time.monotonic() - started
    assert "was not complete 1 s after the request" in str(caught.value)
    assert 1.0 <= took < 2.5


@pytest.fixture
def header_dripper() -> Iterator[str]:
    """A server that sends its status line and headers one byte every 0.1 s (about 9 s)."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.recv(65536)
                for byte in b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nX-Pad: " + b"x" * 40:
                    if stop.wait(0.1):
                        break
                    try:
                        connection.sendall(bytes([byte]))
                    except OSError:
                        break

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(5)
    listener.close()


def test_headers_dripped_slowly_are_abandoned_at_the_deadline(header_dripper: str) -> None:
    """The engine's client cuts every socket read to what is left of the deadline, so a
    server that never finishes its headers cannot hold a feed past ``timeout_s``."""
    waits: list[float] = []
    started = time.monotonic()
    with deadline_client() as client, pytest.raises(HttpFetchError, match="timed out"):
        get(header_dripper, client=client, policy=policy(waits, timeout_s=0.5, attempts=1))
    assert time.monotonic() - started < 3.0  # the server would drip for about 9 s


def test_the_deadline_client_fetches_like_a_plain_one(server: LoopbackServer) -> None:
    server.serve(Reply(body=b"date,close\n2024-01-02,1\n"))
    with deadline_client() as client:
        body = get(f"{server.url}/ok", client=client, policy=policy([]))
        again = get(f"{server.url}/ok", client=client, policy=policy([]))  # a kept connection
    assert body.content == again.content == b"date,close\n2024-01-02,1\n"


def test_connection_refused_is_retried_then_reported() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    waits: list[float] = []
    with httpx.Client() as client, pytest.raises(HttpFetchError, match="cannot connect") as caught:
        get(f"http://127.0.0.1:{port}/", client=client, policy=policy(waits))
    assert caught.value.attempts == 3 and len(waits) == 2


def test_truncated_body_on_a_real_server(server: LoopbackServer) -> None:
    server.serve(Reply(body=b"date,close\n2024-01-02,1", declared_length=5000))
    waits: list[float] = []
    with httpx.Client() as client, pytest.raises(HttpFetchError, match="cut short"):
        get(f"{server.url}/t.csv", client=client, policy=policy(waits, attempts=2))
    assert len(server.requests) == 2


def test_oversized_by_content_length_is_refused_without_reading() -> None:
    handler, _ = sequence(httpx.Response(200, content=b"x" * 2_000))
    with pytest.raises(HttpFetchError, match=r"too large .*Content-Length 2000"):
        get("https://feed.test/", client=mock_client(handler), policy=policy([], max_bytes=1000))


def test_oversized_stream_without_length_is_cut_off() -> None:
    def chunks() -> object:
        for _ in range(100):
            yield b"y" * 100

    handler, _ = sequence(httpx.Response(200, content=chunks()))  # type: ignore[arg-type]
    with pytest.raises(HttpFetchError, match="too large"):
        get("https://feed.test/", client=mock_client(handler), policy=policy([], max_bytes=1000))


def test_conditional_request_and_304(server: LoopbackServer) -> None:
    def answer(headers: dict[str, str]) -> Reply:
        if headers.get("if-none-match") == '"v1"':
            return Reply(status=304)
        return Reply(body=b"data", headers={"ETag": '"v1"', "Last-Modified": "Mon, 02 Mar 2026"})

    server.serve(answer)
    with httpx.Client() as client:
        first = get(f"{server.url}/d", client=client, policy=policy([]))
        second = get(
            f"{server.url}/d", client=client, policy=policy([]), validators=first.validators
        )
    assert not first.unchanged and first.validators == Validators('"v1"', "Mon, 02 Mar 2026")
    assert second.unchanged and second.content == b""
    assert second.validators == first.validators  # kept although the 304 repeats nothing
    assert server.requests[1]["if-modified-since"] == "Mon, 02 Mar 2026"
    assert "if-none-match" not in server.requests[0]


def test_user_agent_is_sent() -> None:
    handler, seen = sequence(httpx.Response(200, content=b""))
    get("https://feed.test/", client=mock_client(handler), policy=policy([]))
    assert seen[0].headers["User-Agent"] == USER_AGENT
