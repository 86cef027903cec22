"""Alert fan-out: one red warning to 1,000 contacts by email and webhook, to local receivers.

Figures:

* ``fanout_seconds``: the whole fan-out of one approved red warning to 1,000 contacts, each by
  email (a local aiosmtpd server) and by signed webhook (a local uvicorn receiver in its own
  process): routing into 2,000 deliveries, claiming, building and signing the messages,
  sending, and recording every attempt (``warning.jobs.delivery.deliver_due``, SQLite).
  Goal < 30 s.
* ``fanout_webhooks_per_s``: the same fan-out to the webhooks alone, as webhooks a second.
* ``fanout_raw_webhooks_per_s``: the baseline: a bare ``httpx.AsyncClient`` loop posting the
  same 1,000 payloads (with their headers) to the same receiver, 50 at a time.
* ``fanout_ratio``: ``fanout_webhooks_per_s / fanout_raw_webhooks_per_s``. Goal >= 0.9.

The webhook fan-out and the raw loop take turns, ``BENCH_FANOUT_ROUNDS`` times (3), and the
rates are the medians of their rounds: on two cores shared with the receiver, one round of
either varies by a third from the next.

Run: ``python -m benchmarks fanout``.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Final

import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

CONTACTS: Final = int(os.environ.get("BENCH_FANOUT_CONTACTS", "1000"))
ROUNDS: Final = int(os.environ.get("BENCH_FANOUT_ROUNDS", "3"))
SECRET: Final = "whsec_" + "YmVuY2htYXJrLXNlY3JldC1rZXktMTIzNDU2"
RECEIVER_APP: Final = """
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b'{"errcode": 0}'})
"""


class _Counter:
    def __init__(self) -> None:
        self.messages = 0

    async def handle_DATA(self, _s: SMTP, _session: Session, _envelope: Envelope) -> str:
        self.messages += 1
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_receiver(
    folder: Path, app: str = RECEIVER_APP, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """The ASGI ``app`` (source text) under uvicorn in a process of its own; its URL."""
    (folder / "receiver.py").write_text(app)
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "receiver:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--backlog",
            "2048",
        ],
        cwd=folder,
        env={**os.environ, **(env or {})},
    )
    for _ in range(100):
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=0.5)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    return process, f"http://127.0.0.1:{port}"


def _directory(folder: Path, receiver: str, *, email: bool) -> Path:
    from warning.directory.credit_code import check_character
    from warning.directory.rows import REQUIRED

    lines = [",".join([*REQUIRED, "channels"])]
    channels = '"email,webhook"' if email else "webhook"
    for n in range(CONTACTS):
        body = f"9111000000{n:07d}"
        code = body + check_character(body)
        lines.append(
            f"Bench {n},{code},false,P{n},p{n}@bench.example,zh,{receiver}/h/{n},{SECRET},"
            f"copper,yellow,{channels}"
        )
    path = folder / f"directory-{email}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _fanout(folder: Path, receiver: str, smtp_port: int, *, email: bool) -> tuple[float, int]:
    """Seconds from the approval to every delivery recorded; deliveries sent."""
    from warning.catalog import load_catalog
    from warning.context import ServiceContext, initialise
    from warning.jobs.delivery import deliver_due
    from warning.jobs.directory import import_directory
    from warning.settings import load_settings

    settings = load_settings(
        database_url=f"sqlite:///{folder / f'fanout-{email}.db'}",
        smtp_url=f"smtp://127.0.0.1:{smtp_port}",
        webhook_allow="127.0.0.0/8",
        group_wait=0.0,
        secret_key="bench",
        var_dir=folder,
    )
    context: ServiceContext = initialise(settings)
    result = import_directory(context, _directory(folder, receiver, email=email), actor="bench")
    assert not result.rejects, result.rejects[:3]
    started = time.perf_counter()
    _approve_red_copper(context)
    counts = deliver_due(context, batch=5000)
    seconds = time.perf_counter() - started
    context.engine.dispose()
    assert load_catalog()
    return seconds, counts["sent"]


def _approve_red_copper(context: object) -> None:
    """An evaluation saying copper is red, and its item approved."""
    from datetime import date

    from warning import clock
    from warning.evaluation.models import Assessment, EvaluationRun
    from warning.review import decisions
    from warning.review.policy import ReviewPolicy
    from warning.review.proposals import propose
    from warning.store import transaction

    with transaction(context.factory) as session:  # type: ignore[attr-defined]
        now = clock.now()
        run = EvaluationRun(
            as_of=date.today(),
            ruleset_version="bench",
            started_at=now,
            finished_at=now,
            trigger="bench",
        )
        session.add(run)
        session.flush()
        session.add(
            Assessment(
                evaluation_run_id=run.id,
                material_id="copper",
                as_of=run.as_of,
                period=run.as_of,
                level="red",
                direction="up",
                score=3.5,
                reasons_zh="铜价三个月上涨35%",
                reasons_en="Copper price up 35 % in three months",
                ruleset_version="bench",
            )
        )
        session.flush()
        outcome = propose(session, run_id=run.id, policy=ReviewPolicy(), now=now)
        for item_id in outcome.created:
            decisions.approve(session, item_id=item_id, actor="bench", comment=None, now=now)
        # the delivery worker routes the approval's event on its round (deliver_due)


async def _raw(receiver: str) -> float:
    """Seconds for a bare async loop to post CONTACTS signed-size payloads, 50 at a time."""
    body = b'{"type": "warning.notification", "data": {"events": [' + b"0" * 1500 + b"]}}"
    headers = {
        "content-type": "application/json",
        "webhook-id": "msg_x",
        "webhook-timestamp": "0",
        "webhook-signature": "v1," + "A" * 44,
    }
    limit = asyncio.Semaphore(50)
    async with httpx.AsyncClient(timeout=15.0) as client:

        async def post(n: int) -> None:
            async with limit:
                response = await client.post(f"{receiver}/h/{n}", content=body, headers=headers)
                response.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(post(n) for n in range(CONTACTS)))
        return time.perf_counter() - started


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        counter = _Counter()
        smtp_port = _free_port()
        controller = Controller(counter, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        receiver, url = _start_receiver(folder)
        try:
            raw_rounds, webhook_rounds, webhooks = [], [], CONTACTS
            for n in range(ROUNDS):
                raw_rounds.append(asyncio.run(_raw(url)))
                (folder / f"round-{n}").mkdir()
                seconds, sent_alone = _fanout(folder / f"round-{n}", url, smtp_port, email=False)
                webhook_rounds.append(seconds)
                webhooks = min(webhooks, sent_alone)
            raw_seconds = statistics.median(raw_rounds)
            webhook_seconds = statistics.median(webhook_rounds)
            full_seconds, sent = _fanout(folder, url, smtp_port, email=True)
        finally:
            receiver.terminate()
            receiver.wait(10)
            controller.stop()
    if webhooks != CONTACTS or sent != 2 * CONTACTS or counter.messages != CONTACTS:
        raise RuntimeError(
            f"incomplete fan-out: {webhooks} webhooks, {sent} sent, {counter.messages} emails"
        )
    webhook_rate, raw_rate = CONTACTS / webhook_seconds, CONTACTS / raw_seconds
    print(
        f"  fan-out {full_seconds:.1f} s ({sent} deliveries); webhooks alone "
        f"{webhook_rate:.0f}/s against a raw loop's {raw_rate:.0f}/s"
    )
    return {
        "fanout_seconds": round(full_seconds, 2),
        "fanout_webhooks_per_s": round(webhook_rate, 1),
        "fanout_raw_webhooks_per_s": round(raw_rate, 1),
        "fanout_ratio": round(webhook_rate / raw_rate, 3),
    }


if __name__ == "__main__":
    print(run())
