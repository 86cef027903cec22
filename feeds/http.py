"""HTTP for feeds: one GET with timeouts, retries, conditional requests and a size cap.

``get(url, *, client, policy, validators=None, params=None, headers=None) -> HttpBody``

- Retries, with exponential backoff and full jitter, on connection errors, timeouts, bodies
  cut short, 5xx and 429; a 429 or 503 ``Retry-After`` (seconds or an HTTP date) is honoured
  when it is at most ``policy.max_retry_after_s``, otherwise the call gives up at once. Other
  4xx are not retried: they will not heal by themselves.
- Conditional: ``validators`` (the ETag / Last-Modified of the previous run) become
  ``If-None-Match`` / ``If-Modified-Since``; a 304 gives ``HttpBody(unchanged=True)`` with the
  validators to keep.
- The body is streamed and refused past ``policy.max_bytes`` (checked on Content-Length first).
- A request that has not finished ``policy.timeout_s`` after it began is abandoned (a timeout,
  retried): a server dripping its headers or its body cannot hold a feed, however often it
  sends a byte. With :func:`deadline_client` (what the engine uses) every socket read and
  write waits at most for what is left of the deadline; with another client the body is
  still checked as it arrives, but slow headers only meet the client's own timeouts.
- Redirects are followed only within the origin (scheme, host, port) of the URL asked for, at
  most ``policy.max_redirects``, and not at all when ``policy.redirects`` is ``"none"``; a
  redirect elsewhere fails the call, so headers that carry a secret never leave the origin
  they were meant for. The client's own redirect setting is not used.
- Every request carries ``policy.user_agent``.

Failures raise :class:`HttpFetchError` with the URL, the status (if any), what happened and
how many attempts were made. ``policy.sleep``, ``policy.rng`` and ``policy.monotonic`` are
injectable for tests.
"""

from __future__ import annotations

import logging
import random
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Final, Literal

import httpcore
import httpx

from feeds.result import Validators
from feeds.urls import shown_url

USER_AGENT: Final = "raw-material-warning-feeds/0.1 (+supply-demand early warning; httpx)"
RETRY_STATUSES: Final = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})
DEFAULT_PORTS: Final = {"http": 80, "https": 443}
Redirects = Literal["same_origin", "none"]


class _HiddenQueries(logging.Filter):
    """httpx logs each request's whole URL ("HTTP Request: GET https://...?token=..."): its
    query values are hidden (:func:`feeds.urls.shown_url`) before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                shown_url(arg) if isinstance(arg, httpx.URL) else arg for arg in record.args
            )
        return True


logging.getLogger("httpx").addFilter(_HiddenQueries())


class HttpFetchError(Exception):
    """A GET that failed for good: ``url``, ``status`` (None without a response), ``problem``."""

    def __init__(self, url: str, problem: str, *, status: int | None, attempts: int) -> None:
        self.url = shown_url(url)  # as shown: the query may hold a token
        self.problem = problem
        self.status = status
        self.attempts = attempts
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        super().__init__(f"GET {self.url}: {problem}{tries}")


@dataclass(frozen=True)
class HttpPolicy:
    """How hard to try: the time a request may take in all, attempts, backoff, size cap,
    redirects, User-Agent.

    ``clock`` gives the current time (aware) for a Retry-After given as an HTTP date: the
    engine never reads the wall clock itself, the service passes its own. ``monotonic``
    measures how long a request has taken.
    """

    timeout_s: float = 30.0
    attempts: int = 4
    backoff_base_s: float = 1.0
    backoff_max_s: float = 60.0
    max_retry_after_s: float = 300.0
    max_bytes: int = 50_000_000
    user_agent: str = USER_AGENT
    redirects: Redirects = "same_origin"
    max_redirects: int = 5
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    monotonic: Callable[[], float] = field(default=time.monotonic, compare=False)
    rng: random.Random = field(default_factory=random.Random, compare=False)
    clock: Callable[[], datetime] = field(kw_only=True, compare=False)

    def backoff(self, attempt: int) -> float:
        """Full-jitter exponential backoff before retry number ``attempt`` (1-based)."""
        ceiling = min(self.backoff_max_s, self.backoff_base_s * 2 ** (attempt - 1))
        return self.rng.uniform(0, ceiling)


@dataclass(frozen=True)
class HttpBody:
    """A successful GET: the body (empty when unchanged) and the validators to remember."""

    url: str
    status: int
    content: bytes
    content_type: str
    validators: Validators
    unchanged: bool
    attempts: int


class _Retryable(Exception):
    def __init__(self, problem: str, status: int | None, wait: float | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.status = status
        self.wait = wait


def get(
    url: str,
    *,
    client: httpx.Client,
    policy: HttpPolicy,
    validators: Validators | None = None,
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpBody:
    """GET ``url`` under ``policy``; see the module docstring."""
    sent = {"User-Agent": policy.user_agent, **(headers or {})}
    if validators is not None and validators.etag:
        sent["If-None-Match"] = validators.etag
    if validators is not None and validators.last_modified:
        sent["If-Modified-Since"] = validators.last_modified
    for attempt in range(1, policy.attempts + 1):
        try:
            return _attempt(url, client, policy, sent, params, validators, attempt)
        except _Retryable as retry:
            if attempt == policy.attempts:
                raise HttpFetchError(
                    url, retry.problem, status=retry.status, attempts=attempt
                ) from retry
            if retry.wait is not None and retry.wait > policy.max_retry_after_s:
                raise HttpFetchError(
                    url,
                    f"{retry.problem}; the server asks to wait {retry.wait:.0f} s, more than "
                    f"the {policy.max_retry_after_s:.0f} s allowed",
                    status=retry.status,
                    attempts=attempt,
                ) from retry
            policy.sleep(max(retry.wait or 0.0, policy.backoff(attempt)))
    raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover


def _attempt(
    url: str,
    client: httpx.Client,
    policy: HttpPolicy,
    headers: Mapping[str, str],
    params: Mapping[str, str] | None,
    validators: Validators | None,
    attempt: int,
) -> HttpBody:
    """One request, following redirects within ``url``'s origin, within the deadline."""
    deadline = policy.monotonic() + policy.timeout_s
    sockets_end = time.monotonic() + policy.timeout_s  # one deadline for every hop
    target: str | httpx.URL = url
    for hop in range(policy.max_redirects + 1):
        try:
            with (
                _within(sockets_end),
                client.stream(
                    "GET",
                    target,
                    params=params if hop == 0 else None,  # a Location carries its own query
                    headers=headers,
                    timeout=policy.timeout_s,
                    follow_redirects=False,
                ) as response,
            ):
                following = _redirect(url, response, policy, attempt)
                if following is None:
                    return _read(url, response, policy, validators, attempt, deadline)
        except httpx.TimeoutException as error:
            problem = f"timed out after {policy.timeout_s:g} s ({type(error).__name__})"
            raise _Retryable(problem, None) from error
        except httpx.ConnectError as error:
            raise _Retryable(f"cannot connect ({error})", None) from error
        except httpx.RemoteProtocolError as error:
            raise _Retryable(f"the body was cut short or malformed ({error})", None) from error
        except httpx.TransportError as error:
            raise _Retryable(f"transport error ({type(error).__name__}: {error})", None) from error
        target = following
    raise HttpFetchError(
        url,
        f"more than {policy.max_redirects} redirects (the last to {_shown(target)})",
        status=None,
        attempts=attempt,
    )


_deadline = threading.local()  # the monotonic time the current request must end by


@contextmanager
def _within(deadline: float) -> Iterator[None]:
    """Socket reads and writes of :func:`deadline_client` in this thread end by ``deadline``."""
    _deadline.at = deadline
    try:
        yield
    finally:
        _deadline.at = None


def _left(timeout: float | None) -> float | None:
    """``timeout``, cut to what is left of this thread's deadline (none past it)."""
    at = getattr(_deadline, "at", None)
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the request's total time ran out")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, _left(timeout)))

    def get_extra_info(self, info: str) -> object:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.SyncBackend):
    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: object = None,
    ) -> httpcore.NetworkStream:
        stream = super().connect_tcp(
            host,
            port,
            _left(timeout),
            local_address,
            socket_options,  # type: ignore[arg-type]
        )
        return _DeadlineStream(stream)


class _DeadlineTransport(httpx.HTTPTransport):
    def __init__(self) -> None:
        super().__init__()
        limits = httpx.Limits()  # httpx's defaults, as a plain client has them
        # httpx builds its pool without a network backend argument; this one keeps deadlines.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_DeadlineBackend(),
        )


def deadline_client() -> httpx.Client:
    """An ``httpx.Client`` whose requests through :func:`get` end by their deadline, headers
    included (see the module docstring). Like a plain client it honours the proxy settings
    of the environment (a proxied request has only the client's own timeouts)."""
    return httpx.Client(transport=_DeadlineTransport())


def _redirect(
    url: str, response: httpx.Response, policy: HttpPolicy, attempt: int
) -> httpx.URL | None:
    """Where a redirect leads, if it may be followed; None for a response that is no redirect.

    Raises :class:`HttpFetchError` (not retried) for a redirect to another origin than
    ``url``'s, or for any redirect when the policy follows none.
    """
    status = response.status_code
    location = response.headers.get("Location")
    if status not in REDIRECT_STATUSES or not location:
        return None
    following = response.url.join(location)
    if policy.redirects == "none":
        problem = f"HTTP {status} redirect to {_shown(following)} not followed (redirects: none)"
        raise HttpFetchError(url, problem, status=status, attempts=attempt)
    if origin(following) != origin(httpx.URL(url)):
        problem = (
            f"HTTP {status} redirect to another origin ({origin(following)}) not followed: "
            f"a feed follows redirects within {origin(httpx.URL(url))} only"
        )
        raise HttpFetchError(url, problem, status=status, attempts=attempt)
    return following


def origin(url: httpx.URL) -> str:
    """``scheme://host:port``, the port always given: what must match for a redirect."""
    port = url.port or DEFAULT_PORTS.get(url.scheme)
    return f"{url.scheme}://{url.host}:{port}"


def _shown(url: str | httpx.URL) -> str:
    """A redirect target without its query's values, which may echo what was sent."""
    return shown_url(url)


def _read(
    url: str,
    response: httpx.Response,
    policy: HttpPolicy,
    validators: Validators | None,
    attempt: int,
    deadline: float,
) -> HttpBody:
    status = response.status_code
    if status == 304:
        kept = _validators(response, fallback=validators)
        return HttpBody(url, status, b"", "", kept, unchanged=True, attempts=attempt)
    if status in RETRY_STATUSES:
        wait = _retry_after(response.headers.get("Retry-After"), now=policy.clock())
        raise _Retryable(f"HTTP {status} {response.reason_phrase}", status, wait)
    if status >= 400:
        raise HttpFetchError(
            url,
            f"HTTP {status} {response.reason_phrase} (not retried: a client error)",
            status=status,
            attempts=attempt,
        )
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > policy.max_bytes:
        raise _too_big(url, status, attempt, policy, f"Content-Length {declared}")
    return HttpBody(
        url=str(response.url),
        status=status,
        content=_body(url, response, policy, attempt, deadline),
        content_type=response.headers.get("Content-Type", ""),
        validators=_validators(response, fallback=None),
        unchanged=False,
        attempts=attempt,
    )


def _body(
    url: str, response: httpx.Response, policy: HttpPolicy, attempt: int, deadline: float
) -> bytes:
    """The body, read as it arrives: refused past the size cap, abandoned past the deadline."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > policy.max_bytes:
            raise _too_big(
                url, response.status_code, attempt, policy, f"more than {size} bytes read"
            )
        if policy.monotonic() > deadline:
            raise _Retryable(
                f"timed out: the response was not complete {policy.timeout_s:g} s after the "
                f"request ({size} bytes read)",
                None,
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _too_big(url: str, status: int, attempt: int, policy: HttpPolicy, seen: str) -> HttpFetchError:
    return HttpFetchError(
        url,
        f"response too large ({seen}; the cap is {policy.max_bytes} bytes)",
        status=status,
        attempts=attempt,
    )


def _validators(response: httpx.Response, *, fallback: Validators | None) -> Validators:
    etag = response.headers.get("ETag")
    modified = response.headers.get("Last-Modified")
    if fallback is not None:
        etag = etag or fallback.etag
        modified = modified or fallback.last_modified
    return Validators(etag=etag, last_modified=modified)


def _retry_after(value: str | None, *, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
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
