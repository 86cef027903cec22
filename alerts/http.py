"""One POST to a webhook or robot, through the SSRF guard, classified into a delivery result.

``HttpSender`` (an async context manager holding one connection pool) checks each URL with
:func:`alerts.ssrf.check_url`, pins the checked address, and connects to that address only:
its network backend dials the pinned address for the URL's host, while the Host header, TLS
SNI and certificate verification keep the name. Redirects are never followed (a 3xx is a
permanent failure), proxies and other environment settings are never read.

Every request has a connect timeout and a total timeout (name lookup, connect, send and the
whole answer). Results, by what happened:

| what happened | outcome |
|---|---|
| 2xx | ok (robots then read their body: an error code there is a failure) |
| 408, 425, 429, 5xx | retryable; ``Retry-After`` (seconds or HTTP date) is honoured |
| 410 Gone | permanent, and the endpoint should be disabled |
| 3xx, other 4xx | permanent: it will not heal by itself |
| connection refused or reset, timeouts, no DNS answer | retryable |
| a URL or address the guard refuses | permanent |
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, Final
from urllib.parse import urlsplit

import certifi
import httpcore
import httpx

from alerts.model import DeliveryResult, Outcome
from alerts.ssrf import (
    CheckedUrl,
    RefusedUrl,
    Resolver,
    UnresolvedHost,
    UrlPolicy,
    check_url,
    is_address,
)

USER_AGENT: Final = "raw-material-warning-alerts/0.1"
RETRYABLE_STATUSES: Final = frozenset({408, 425, 429})
MAX_BODY: Final = 64 * 1024


@dataclass(frozen=True)
class HttpOptions:
    """Timeouts, pool size, the guard's policy and the test hooks of an :class:`HttpSender`.

    ``now`` is the service's clock (aware UTC) for timestamps and Retry-After dates;
    ``resolver`` replaces ``socket.getaddrinfo``; ``ca_file`` replaces the public CA bundle.
    At most ``max_connections`` are open at once and ``max_idle_connections`` kept open
    between requests: a batch mostly calls each host once, and the pool looks through every
    kept connection on each request, so keeping many idle ones costs more than it saves. In
    ``python -m benchmarks fanout`` (1,000 webhooks, 50 at a time, one receiver), keeping 20
    gave 0.68 of a bare client's rate and keeping 10 gave 0.89-0.93 (medians of four rounds,
    2026-12-07); a robot's few hosts still reuse their connections.
    """

    url_policy: UrlPolicy
    now: Callable[[], datetime]
    connect_timeout_s: float = 5.0
    total_timeout_s: float = 15.0
    max_connections: int = 100
    max_idle_connections: int = 10
    resolver: Resolver | None = None
    ca_file: str | None = None
    user_agent: str = USER_AGENT
    monotonic: Callable[[], float] = field(default=time.monotonic, compare=False)


@dataclass(frozen=True)
class Posted:
    """A POST's result classified by HTTP status, and the body read (at most 64 KiB)."""

    result: DeliveryResult
    body: bytes = b""


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """Dials the address checked for a host, never a fresh lookup; unknown hosts are refused."""

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._pins: dict[tuple[str, int], str] = {}

    def pin(self, checked: CheckedUrl) -> None:
        self._pins[(checked.host, checked.port)] = str(checked.address)

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: object = None,
    ) -> httpcore.AsyncNetworkStream:
        address = self._pins.get((host.lower(), port))
        if address is None:
            raise RefusedUrl(f"//{host}:{port}", "connection to an address that was not checked")
        return await self._inner.connect_tcp(
            address,
            port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,  # type: ignore[arg-type]
        )

    async def connect_unix_socket(
        self, *args: object, **kwargs: object
    ) -> httpcore.AsyncNetworkStream:
        raise RefusedUrl("unix socket", "only TCP connections to checked addresses")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _PinnedTransport(httpx.AsyncHTTPTransport):
    def __init__(self, backend: PinnedBackend, context: ssl.SSLContext, limits: httpx.Limits):
        super().__init__(verify=context, trust_env=False, limits=limits)
        # httpx builds its pool without a network backend argument; this one dials pins.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )


class _LookupCache:
    """A resolver (the shape of ``socket.getaddrinfo``) that keeps each answer for the life of
    one sender: every address it returns is still checked by the guard and pinned, so reusing
    an answer never lets an unchecked address through. Failures are not kept."""

    def __init__(self, resolver: Resolver) -> None:
        self._resolver = resolver
        self._answers: dict[tuple[str, int], Sequence[tuple[Any, ...]]] = {}

    def known(self, url: str) -> bool:
        """Whether checking ``url`` needs no lookup: its host is an address or was looked up."""
        try:
            parts = urlsplit(url)
            host, port = (parts.hostname or "").lower(), parts.port
        except ValueError:
            return True  # the guard refuses it without a lookup
        if port is None:
            port = 443 if parts.scheme.lower() == "https" else 80
        return is_address(host) or (host, port) in self._answers

    def __call__(self, host: str, port: int, **options: Any) -> Sequence[tuple[Any, ...]]:
        key = (host, port)
        if key not in self._answers:
            self._answers[key] = self._resolver(host, port, **options)
        return self._answers[key]


def ssl_context(ca_file: str | None) -> ssl.SSLContext:
    """Certificate verification on: the public CA bundle, or ``ca_file`` (tests)."""
    return ssl.create_default_context(cafile=ca_file or certifi.where())


class HttpSender:
    """Posts to guarded URLs over one pool; use as ``async with HttpSender(options) as s``."""

    def __init__(self, options: HttpOptions) -> None:
        self.options = options
        self._backend = PinnedBackend()
        self._lookups = _LookupCache(options.resolver or socket.getaddrinfo)
        limits = httpx.Limits(
            max_connections=options.max_connections,
            max_keepalive_connections=options.max_idle_connections,
        )
        transport = _PinnedTransport(self._backend, ssl_context(options.ca_file), limits)
        timeout = httpx.Timeout(options.total_timeout_s, connect=options.connect_timeout_s)
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": options.user_agent},
        )

    async def __aenter__(self) -> HttpSender:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def check(self, url: str) -> CheckedUrl:
        """The guard's verdict on ``url``. A name is looked up once per sender (a batch sends
        to the robots' few hosts many times), in a thread; addresses and names looked up
        already are checked at once."""
        policy = self.options.url_policy
        if self._lookups.known(url):
            return check_url(url, policy, resolver=self._lookups)
        return await asyncio.to_thread(check_url, url, policy, resolver=self._lookups)

    async def post(
        self, url: str, *, content: bytes, headers: Mapping[str, str], delivery_id: str
    ) -> Posted:
        """POST ``content`` to ``url``; never raises for network or HTTP trouble."""
        started = self.options.monotonic()

        def result(outcome: Outcome, error: str | None, **more: object) -> DeliveryResult:
            latency = self.options.monotonic() - started
            return DeliveryResult(outcome, delivery_id, latency, error=error, **more)  # type: ignore[arg-type]

        try:
            async with asyncio.timeout(self.options.total_timeout_s):
                checked = await self.check(url)
                self._backend.pin(checked)
                return await self._send(url, content, headers, result)
        except RefusedUrl as refused:
            return Posted(result(Outcome.PERMANENT, f"refused by the SSRF guard: {refused.reason}"))
        except UnresolvedHost as error:
            return Posted(result(Outcome.RETRYABLE, str(error)))
        except TimeoutError:
            total = self.options.total_timeout_s
            return Posted(result(Outcome.RETRYABLE, f"no complete answer within {total:g} s"))
        except httpx.TimeoutException as error:
            return Posted(result(Outcome.RETRYABLE, f"timed out ({type(error).__name__})"))
        except httpx.TransportError as error:
            problem = f"{type(error).__name__}: {error}".rstrip(": ")
            return Posted(result(Outcome.RETRYABLE, problem))

    async def _send(
        self,
        url: str,
        content: bytes,
        headers: Mapping[str, str],
        result: Callable[..., DeliveryResult],
    ) -> Posted:
        sent = {"Content-Type": "application/json; charset=utf-8", **headers}
        async with self._client.stream("POST", url, content=content, headers=sent) as response:
            body = await _read_capped(response)
        status = response.status_code
        outcome, error, wait, disable = classify_status(
            status, response.headers, self.options.now()
        )
        return Posted(
            result(
                outcome,
                error,
                status_code=status,
                retry_after_s=wait,
                disable_endpoint=disable,
                response_excerpt=body[:500].decode("utf-8", "replace"),
            ),
            body,
        )


async def _read_capped(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= MAX_BODY:
            break
    return b"".join(chunks)[:MAX_BODY]


def classify_status(
    status: int, headers: Mapping[str, str], now: datetime
) -> tuple[Outcome, str | None, float | None, bool]:
    """(outcome, error, retry_after_s, disable_endpoint) for an HTTP status; see the table above."""
    if 200 <= status < 300:
        return Outcome.OK, None, None, False
    if status == 410:
        return Outcome.PERMANENT, "HTTP 410 Gone: the endpoint is gone", None, True
    if status in RETRYABLE_STATUSES or status >= 500:
        wait = retry_after_seconds(headers.get("Retry-After"), now=now)
        return Outcome.RETRYABLE, f"HTTP {status}", wait, False
    if 300 <= status < 400:
        where = headers.get("Location", "")
        return (
            Outcome.PERMANENT,
            f"HTTP {status}: redirects are not followed ({where})",
            None,
            False,
        )
    return Outcome.PERMANENT, f"HTTP {status} (a client error: not retried)", None, False


def retry_after_seconds(value: str | None, *, now: datetime) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())
