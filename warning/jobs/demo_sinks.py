"""The demo's local sinks: an SMTP catcher writing ``.eml`` files under ``var/mail/`` and a
webhook receiver writing each request under ``var/webhooks/`` (headers and body, as JSON), so
a new user sees the real messages without any outside server.

SMTP on 127.0.0.1:8025 (the delivery worker's default when ``WARNING_SMTP_URL`` is empty),
webhooks and robots on 127.0.0.1:8026 (the sample directory's endpoints).
"""

from __future__ import annotations

import json
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

SMTP_PORT: Final = 8025
WEBHOOK_PORT: Final = 8026


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
    """Where the demo's messages land."""

    mail: Path
    webhooks: Path


@contextmanager
def demo_sinks(var_dir: Path) -> Iterator[Sinks]:
    """Run both sinks for the block; a port already taken leaves that sink to whoever has it."""
    sinks = Sinks(var_dir / "mail", var_dir / "webhooks")
    sinks.mail.mkdir(parents=True, exist_ok=True)
    sinks.webhooks.mkdir(parents=True, exist_ok=True)
    smtp: Controller | None = None
    controller = Controller(_MailFolder(sinks.mail), hostname="127.0.0.1", port=SMTP_PORT)
    try:
        controller.start()
        smtp = controller
    except (OSError, RuntimeError):
        smtp = None
    http: ThreadingHTTPServer | None = None
    with suppress(OSError):
        http = ThreadingHTTPServer(("127.0.0.1", WEBHOOK_PORT), _receiver(sinks.webhooks))
        threading.Thread(target=http.serve_forever, name="demo-webhooks", daemon=True).start()
    try:
        yield sinks
    finally:
        if http is not None:
            http.shutdown()
            http.server_close()
        if smtp is not None:
            smtp.stop()
