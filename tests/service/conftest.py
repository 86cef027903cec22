"""Fixtures for the service's feed tests: a loopback HTTP server and a no-sleep HTTP policy.

The store fixtures (``factory``, ``database_url``) come from tests/conftest.py and run every
store test on SQLite and, when configured, PostgreSQL.
"""

from __future__ import annotations

import random
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from feed_helpers import LoopbackServer, Reply

from feeds.http import HttpPolicy


@pytest.fixture
def quick_policy() -> HttpPolicy:
    """HTTP retries without sleeping between attempts."""
    return HttpPolicy(timeout_s=2.0, sleep=lambda _s: None, rng=random.Random(3))


# --- a real HTTP server on loopback whose answers each test scripts -----------------------


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    replies: list[Reply] = []
    requests: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            headers["path"] = self.path
            requests.append(headers)
            reply = replies.pop(0) if len(replies) > 1 else replies[0]
            self.send_response(reply.status)
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
            self.close_connection = True

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield LoopbackServer(f"http://127.0.0.1:{httpd.server_port}", replies, requests)
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def refused_url() -> str:
    """A loopback URL where nothing listens (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/prices.csv"
