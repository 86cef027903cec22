"""The demo's local sinks: an SMTP catcher writing ``.eml`` files under ``var/mail/`` and a
webhook receiver writing each request under ``var/webhooks/`` (headers and body, as JSON), so
a new user sees the real messages without any outside server.

Each sink listens on loopback on a free port (or ``WARNING_DEMO_SMTP_PORT`` /
``WARNING_DEMO_WEBHOOK_PORT``), so two demos on one host never deliver into each other's
folders: the demo sends its mail to its own catcher and points the sample directory's
endpoints (written for ``127.0.0.1:8026``) at its own receiver.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from pathlib import Path
from typing import Any, Final

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

SAMPLE_ENDPOINTS: Final = "http://127.0.0.1:8026/"  # where the sample directory's hooks point


class _MailFolder:
    """aiosmtpd handler: each message as ``<n>.eml``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.numbers = count(len(list(folder.glob("*.eml"))) + 1)

    async def handle_DATA(self, _server: SMTP, _session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        (self.folder / f"{next(self.numbers):05d}.eml").write_bytes(content)
        return "250 OK: written to the demo's mail folder"


def _receiver(folder: Path) -> type[BaseHTTPRequestHandler]:
    numbers = count(len(list(folder.glob("*.json"))) + 1)
    lock = threading.Lock()

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(min(length, 5_000_000))
            record = {
                "path": self.path,
                "headers": dict(self.headers.items()),
                "body": _json_or_text(body),
            }
            with lock:
                name = folder / f"{next(numbers):05d}.json"
            name.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
            reply = b'{"errcode": 0, "code": 0, "errmsg": "ok"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *_args: Any) -> None:  # quiet: the files are the record
            return

    return Receiver


def _json_or_text(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")


@dataclass(frozen=True)
class Sinks:
    """Where the demo's messages land, and the ports its sinks listen on."""

    mail: Path
    webhooks: Path
    smtp_port: int
    webhook_port: int

    @property
    def smtp_url(self) -> str:
        return f"smtp://127.0.0.1:{self.smtp_port}"

    @property
    def webhook_base(self) -> str:
        return f"http://127.0.0.1:{self.webhook_port}/"


def free_port() -> int:
    """A port nothing listens on now, on loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def demo_sinks(var_dir: Path, *, smtp_port: int = 0, webhook_port: int = 0) -> Iterator[Sinks]:
    """Run both sinks for the block, on the ports given or (0) on free ones."""
    mail, webhooks = var_dir / "mail", var_dir / "webhooks"
    mail.mkdir(parents=True, exist_ok=True)
    webhooks.mkdir(parents=True, exist_ok=True)
    http = ThreadingHTTPServer(("127.0.0.1", webhook_port), _receiver(webhooks))
    threading.Thread(target=http.serve_forever, name="demo-webhooks", daemon=True).start()
    smtp = Controller(_MailFolder(mail), hostname="127.0.0.1", port=smtp_port or free_port())
    try:
        smtp.start()
        yield Sinks(mail, webhooks, smtp.port, int(http.server_address[1]))
    finally:
        http.shutdown()
        http.server_close()
        with suppress(RuntimeError):  # it may have failed to start
            smtp.stop()
