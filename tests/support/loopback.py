"""Shared by the feeds and service tests: a real HTTP server on loopback whose answers each
test scripts, a URL where nothing listens, and the paths of the real data beside the repo."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT.parent / "shared" / "data" / "real"  # shared/ lies beside the checkout
PINKSHEET = REAL / "worldbank_pinksheet" / "CMO-Historical-Data-Monthly_2026-03-03.xlsx"
COPPER_CSV = REAL / "china_futures_sina_continuous" / "shfe_copper_CU0.csv"


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    declared_length: int | None = None  # a Content-Length larger than the body = truncation
    drip_every_s: float = 0.0  # send the body a byte at a time, pausing this long between


@dataclass
class LoopbackServer:
    url: str
    replies: list[Callable[[dict[str, str]], Reply]]
    requests: list[dict[str, str]]

    def serve(self, *replies: Reply | Callable[[dict[str, str]], Reply]) -> None:
        """Answer with these in turn, replacing any left; the last one keeps answering.

        A reply may be a function of the request headers (for conditional requests).
        """
        self.replies[:] = [r if callable(r) else (lambda _h, r=r: r) for r in replies]


def _handler(
    replies: list[Callable[[dict[str, str]], Reply]], requests: list[dict[str, str]]
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            headers["path"] = self.path
            requests.append(headers)
            reply = replies.pop(0)(headers) if len(replies) > 1 else replies[0](headers)
            time.sleep(reply.delay_s)
            self.send_response(reply.status)
            for key, value in reply.headers.items():
                self.send_header(key, value)
            length = reply.declared_length if reply.declared_length else len(reply.body)
            self.send_header("Content-Length", str(length))
            self.end_headers()
            with suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
                self._write(reply)
            self.close_connection = True

        def _write(self, reply: Reply) -> None:
            if not reply.drip_every_s:
                self.wfile.write(reply.body)
                self.wfile.flush()
                return
            for index in range(len(reply.body)):
                self.wfile.write(reply.body[index : index + 1])
                self.wfile.flush()
                time.sleep(reply.drip_every_s)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def _running() -> Iterator[LoopbackServer]:
    replies: list[Callable[[dict[str, str]], Reply]] = []
    requests: list[dict[str, str]] = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(replies, requests))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield LoopbackServer(f"http://127.0.0.1:{httpd.server_port}", replies, requests)
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    """A loopback HTTP server whose answers the test scripts (``server.serve(...)``)."""
    with _running() as running:
        yield running


@pytest.fixture
def other_server() -> Iterator[LoopbackServer]:
    """A second loopback server: another port, so another origin than :func:`server`."""
    with _running() as running:
        yield running


@pytest.fixture
def refused_url() -> str:
    """A loopback URL where nothing listens (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/prices.csv"
