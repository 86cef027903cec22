"""Real servers for the alerts tests: an HTTP(S) receiver on loopback that verifies Standard
Webhooks signatures with its own code, test certificates (trustme) and a resolver that maps
test names to loopback."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import trustme

from alerts import DeliveryContext, HttpOptions, HttpSender, UrlPolicy
from tests.alerts.samples import NOW

LOOPBACK = UrlPolicy.from_text("127.0.0.0/8,::1/128")  # http allowed to these only


def verify_standard_webhook(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The receiver's own check (not the library's): HMAC-SHA256 over ``id.timestamp.body``
    with the base64-decoded key, compared to every ``v1,`` signature of the header."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    offered = [
        s.split(",", 1)[1] for s in headers["webhook-signature"].split(" ") if s.startswith("v1,")
    ]
    return any(hmac.compare_digest(expected, sig) for sig in offered)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b'{"errcode": 0, "errmsg": "ok"}'
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    signature_ok: bool | None

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str
    port: int
    received: list[Received]
    script: list[Reply | Callable[[str], Reply]]
    secret: list[str]
    sni: list[str | None]

    def serve(self, *replies: Reply | Callable[[str], Reply]) -> None:
        """Answer with these in turn; the last keeps answering. A reply may be a function of
        the request path."""
        self.script[:] = list(replies)

    def verify_with(self, secret: str) -> None:
        """Answer 401 to requests whose signature this secret does not verify."""
        self.secret[:] = [secret]


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # many deliveries at once must not wait in the SYN queue
    daemon_threads = True


def _start(context: ssl.SSLContext | None) -> tuple[ThreadingHTTPServer, Receiver]:
    received: list[Received] = []
    script: list[Reply | Callable[[str], Reply]] = [Reply()]
    secret: list[str] = []
    sni: list[str | None] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            ok = verify_standard_webhook(secret[0], headers, body) if secret else None
            received.append(Received(self.path, headers, body, ok))
            chosen = script.pop(0) if len(script) > 1 else script[0]
            reply = chosen(self.path) if callable(chosen) else chosen
            if ok is False:
                reply = Reply(401, b"bad signature")
            time.sleep(reply.delay_s)
            try:
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                pass

        def log_message(self, *args: object) -> None:
            pass

    httpd = _Server(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    scheme = "http"
    if context is not None:
        context.sni_callback = lambda _sock, name, _ctx: sni.append(name)  # type: ignore[assignment,misc]
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
        scheme = "https"
    port = httpd.server_port
    receiver = Receiver(f"{scheme}://127.0.0.1:{port}", port, received, script, secret, sni)
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    return httpd, receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A plain HTTP receiver on 127.0.0.1 answering ``{"errcode": 0}`` unless scripted."""
    httpd, receiver = _start(None)
    yield receiver
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
def tls_receiver(ca: trustme.CA) -> Iterator[Receiver]:
    """An HTTPS receiver on 127.0.0.1 whose certificate names ``hooks.receiver.test``."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("hooks.receiver.test").configure_cert(context)
    httpd, receiver = _start(context)
    yield receiver
    httpd.shutdown()
    httpd.server_close()


def fake_resolver(table: dict[str, list[str]]) -> Callable[..., list[tuple[Any, ...]]]:
    """A getaddrinfo stand-in: each name to the given addresses; others fail like DNS."""

    def resolve(host: str, port: int, *args: object, **kwargs: object) -> list[tuple[Any, ...]]:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in table[host]
        ]

    return resolve


def http_options(**overrides: Any) -> HttpOptions:
    fields: dict[str, Any] = {
        "url_policy": LOOPBACK,
        "now": lambda: NOW,
        "connect_timeout_s": 2.0,
        "total_timeout_s": 5.0,
    }
    fields.update(overrides)
    return HttpOptions(**fields)


def run_with_sender(coroutine_factory: Callable[[DeliveryContext], Any], **options: Any) -> Any:
    """Open an HttpSender, build the context, run the coroutine, close the sender."""
    import asyncio

    async def main() -> Any:
        async with HttpSender(http_options(**options)) as sender:
            return await coroutine_factory(DeliveryContext(now=lambda: NOW, http=sender))

    return asyncio.run(main())


@pytest.fixture
def unused_port() -> int:
    """A loopback port where nothing listens (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
