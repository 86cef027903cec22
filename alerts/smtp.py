"""Sending one built email over SMTP with aiosmtplib.

The server is a URL (the service's ``WARNING_SMTP_URL``):

| URL | connection |
|---|---|
| ``smtp://host[:25]`` | plain SMTP, no TLS (a local catcher or relay) |
| ``smtp+starttls://user:pass@host[:587]`` | STARTTLS required, certificate verified |
| ``smtps://user:pass@host[:465]`` | TLS from the first byte, certificate verified |

Credentials are percent-decoded. ``ca_file`` replaces the system CA store (tests).
Results: accepted -> ok; SMTP 4xx replies, connection and TLS trouble, timeouts -> retryable
(the server may heal); 5xx replies (recipient or sender refused, authentication failed,
message refused) -> permanent.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Final
from urllib.parse import unquote, urlsplit

import aiosmtplib

from alerts.model import DeliveryResult, Outcome

SCHEMES: Final = {"smtp": ("plain", 25), "smtp+starttls": ("starttls", 587), "smtps": ("tls", 465)}


@dataclass(frozen=True)
class SmtpServer:
    """A parsed SMTP URL."""

    security: str  # plain | starttls | tls
    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)


def parse_smtp_url(url: str) -> SmtpServer:
    """``smtp+starttls://user:pass@host:587`` -> :class:`SmtpServer`; ValueError says why not."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise ValueError(f"not an SMTP URL: {error}") from error
    if parts.scheme not in SCHEMES:
        raise ValueError(
            f"SMTP URL scheme must be one of {', '.join(SCHEMES)}, not {parts.scheme!r}"
        )
    if not parts.hostname:
        raise ValueError("SMTP URL has no host")
    security, default_port = SCHEMES[parts.scheme]
    if parts.username and security == "plain":
        raise ValueError("credentials need smtp+starttls:// or smtps:// (never sent in clear)")
    return SmtpServer(
        security=security,
        host=parts.hostname,
        port=port or default_port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


@dataclass(frozen=True)
class MailSettings:
    """Where and as whom to send: the SMTP URL, the From address and display name, the domain
    of Message-IDs (the From domain by default), timeouts, and a CA file for tests."""

    smtp_url: str
    mail_from: str
    from_name: str = "原材料供需预警 Raw-material early warning"
    message_id_domain: str | None = None
    ca_file: str | None = None
    timeout_s: float = 30.0
    local_hostname: str | None = None
    monotonic: Callable[[], float] = field(default=time.monotonic, compare=False)

    @property
    def server(self) -> SmtpServer:
        return parse_smtp_url(self.smtp_url)

    @property
    def sender(self) -> Address:
        return Address(display_name=self.from_name, addr_spec=self.mail_from)

    @property
    def domain(self) -> str:
        return self.message_id_domain or self.mail_from.rpartition("@")[2] or "localhost"


def tls_context(ca_file: str | None) -> ssl.SSLContext:
    """Verification on, against the system store or ``ca_file``."""
    return ssl.create_default_context(cafile=ca_file)


async def send_email(
    email: EmailMessage, *, recipient: str, settings: MailSettings, delivery_id: str
) -> DeliveryResult:
    """Send ``email`` to exactly ``recipient`` (the envelope names no one else), on a
    connection of its own that is closed afterwards."""
    async with SmtpConnection(settings) as connection:
        return await connection.send(email, recipient=recipient, delivery_id=delivery_id)


class SmtpConnection:
    """One SMTP connection kept open across a batch of emails (one message at a time on it),
    opened on the first send and reopened after any error that may have broken it.

    Opening a connection (TCP, TLS, EHLO, AUTH) costs more than sending a short message, so
    the worker sends a whole batch on one; ``send`` answers like :func:`send_email`.
    """

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self.client: aiosmtplib.SMTP | None = None
        self.lock = asyncio.Lock()
        self.opened = 0  # how many connections this batch opened (tests and benchmarks)

    async def __aenter__(self) -> SmtpConnection:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        client, self.client = self.client, None
        if client is not None and client.is_connected:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
                await client.quit()
        if client is not None:
            client.close()

    async def _client(self, server: SmtpServer) -> aiosmtplib.SMTP:
        if self.client is not None and self.client.is_connected:
            return self.client
        settings = self.settings
        client = aiosmtplib.SMTP(
            hostname=server.host,
            port=server.port,
            username=server.username,
            password=server.password,
            use_tls=server.security == "tls",
            start_tls=server.security == "starttls",
            tls_context=None if server.security == "plain" else tls_context(settings.ca_file),
            timeout=settings.timeout_s,
            local_hostname=settings.local_hostname,
        )
        await client.connect()
        self.client = client
        self.opened += 1
        return client

    async def send(
        self, email: EmailMessage, *, recipient: str, delivery_id: str
    ) -> DeliveryResult:
        """Send ``email`` to exactly ``recipient`` on this connection."""
        settings = self.settings
        started = settings.monotonic()

        def result(
            outcome: Outcome, error: str | None = None, code: int | None = None
        ) -> DeliveryResult:
            latency = settings.monotonic() - started
            return DeliveryResult(outcome, delivery_id, latency, status_code=code, error=error)

        try:
            server = settings.server
        except ValueError as error:
            return result(Outcome.PERMANENT, f"WARNING_SMTP_URL: {error}")
        async with self.lock:
            try:
                client = await self._client(server)
                await client.send_message(email, sender=settings.mail_from, recipients=[recipient])
            except aiosmtplib.SMTPRecipientsRefused as refused:
                await self._reset()
                first = refused.recipients[0]
                return _reply_result(result, first.code, f"recipient refused: {first.message}")
            except aiosmtplib.SMTPResponseException as error:
                await self._reset(broken=error.code == 421)
                return _reply_result(result, error.code, f"{type(error).__name__}: {error.message}")
            except (aiosmtplib.SMTPException, ssl.SSLError, OSError, TimeoutError) as error:
                await self.close()
                return result(Outcome.RETRYABLE, f"{type(error).__name__}: {error}")
        return result(Outcome.OK)

    async def _reset(self, *, broken: bool = False) -> None:
        """After a refused message: RSET keeps the connection usable; else reopen next time."""
        if broken or self.client is None:
            await self.close()
            return
        try:
            await self.client.rset()
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            await self.close()


class SmtpPool:
    """:class:`SmtpConnection` kept open across a batch, each sending one message at a time:
    by default one, so at most one email is in flight (a worker killed mid-batch has recorded
    every other); ``size`` more for a slow server far away."""

    def __init__(self, settings: MailSettings, *, size: int = 1) -> None:
        self.connections = [SmtpConnection(settings) for _ in range(max(1, size))]
        self.free: asyncio.Queue[SmtpConnection] | None = None

    @property
    def opened(self) -> int:
        return sum(connection.opened for connection in self.connections)

    async def __aenter__(self) -> SmtpPool:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        for connection in self.connections:
            await connection.close()

    async def send(
        self, email: EmailMessage, *, recipient: str, delivery_id: str
    ) -> DeliveryResult:
        """Send on the first free connection (waiting for one when all are busy)."""
        if self.free is None:  # made in the running loop
            self.free = asyncio.Queue()
            for connection in self.connections:
                self.free.put_nowait(connection)
        connection = await self.free.get()
        try:
            return await connection.send(email, recipient=recipient, delivery_id=delivery_id)
        finally:
            self.free.put_nowait(connection)


def _reply_result(
    result: Callable[[Outcome, str | None, int | None], DeliveryResult], code: int, text: str
) -> DeliveryResult:
    outcome = Outcome.PERMANENT if 500 <= code < 600 else Outcome.RETRYABLE
    return result(outcome, f"SMTP {code} {text}", code)
