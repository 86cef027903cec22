"""Deliveries shared by replicas (issue 22): each delivery once, and what three workers add.

One approved red copper warning fanned out by signed webhook to ``BENCH_SHARE_CONTACTS``
contacts (2,000; the issue's 10,000 with ``BENCH_SHARE_CONTACTS=10000``), to a local receiver
in a process of its own that answers each request after ``BENCH_SHARE_LATENCY_MS`` (100 ms,
a remote endpoint's round trip; on loopback the receiver would answer at once and the figure
would only say how the two cores are shared) and writes down each request's ``webhook-id``.
Each worker is a process of its own running ``warning.jobs.delivery.deliver_due`` on its own
engine, as ``warning serve --worker-only`` does.

* ``replica_deliveries_once``: deliveries the receiver got at least once / deliveries routed,
  with three workers of which one is SIGKILLed a third of the way; the other two finish, and
  what the killed one held is claimed again after its lease (``WARNING_DELIVERY_LEASE_S``, 5 s
  here). Goal exactly 1.0.
* ``replica_deliveries_duplicates``: requests beyond the first for one ``webhook-id`` in that
  run: the killed worker's sends in flight, which it could not record (the receiver drops them
  by id). Goal 0; at most what was in flight is the promise.
* ``fanout_scale_ratio``: deliveries a second with three workers over one (same routing, same
  receiver). Goal >= 2.5.

The store: ``WARNING_BENCH_DATABASE_URL``, else ``WARNING_TEST_DATABASE_URL`` (PostgreSQL,
its schema dropped for each run), else SQLite files (one writer at a time). Run:
``python -m benchmarks replica_deliveries``.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Final

from benchmarks.bench_fanout import SECRET, _approve_red_copper, _start_receiver
from benchmarks.bench_replicas import store_url

CONTACTS: Final = int(os.environ.get("BENCH_SHARE_CONTACTS", "2000"))
LATENCY_MS: Final = int(os.environ.get("BENCH_SHARE_LATENCY_MS", "100"))
WORKERS: Final = 3
LEASE_S: Final = 5.0
RECEIVER_APP: Final = """
import asyncio, os, time
LOG = open(os.environ["RECEIVED_LOG"], "a", buffering=1)
LATENCY = float(os.environ["RECEIVER_LATENCY_S"])

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await asyncio.sleep(LATENCY)
    ids = [v.decode() for k, v in scope["headers"] if k == b"webhook-id"]
    LOG.write((ids[0] if ids else "-") + " " + repr(time.time()) + "\\n")
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b"{}"})
"""


def _receiver(folder: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    env = {"RECEIVED_LOG": str(log), "RECEIVER_LATENCY_S": str(LATENCY_MS / 1000)}
    return _start_receiver(folder, RECEIVER_APP, env)


def _directory(folder: Path, receiver: str) -> Path:
    from warning.directory.credit_code import check_character
    from warning.directory.rows import REQUIRED

    lines = [",".join([*REQUIRED, "channels"])]
    for n in range(CONTACTS):
        body = f"9111000000{n:07d}"
        lines.append(
            f"Share {n},{body + check_character(body)},false,P{n},p{n}@share.example,zh,"
            f"{receiver}/h/{n},{SECRET},copper,yellow,webhook"
        )
    path = folder / "share-directory.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _settings_for(url: str, folder: Path) -> dict[str, object]:
    return {
        "database_url": url,
        "webhook_allow": "127.0.0.0/8",
        "group_wait": 0.0,
        "secret_key": "bench",
        "var_dir": folder,
        "delivery_lease_s": LEASE_S,
    }


def _prepared(url: str, folder: Path, receiver: str) -> None:
    """A store with the directory loaded, red copper approved and routed: every delivery
    waits in the outbox when the workers start (else the first to route would find the others
    gone, having found nothing to claim)."""
    from warning.context import initialise
    from warning.jobs.delivery import route
    from warning.jobs.directory import import_directory
    from warning.settings import load_settings

    context = initialise(load_settings(**_settings_for(url, folder)))
    result = import_directory(context, _directory(folder, receiver), actor="bench")
    assert not result.rejects, result.rejects[:3]
    _approve_red_copper(context)
    route(context)
    context.engine.dispose()


def _worker(url: str, folder: str, loop: bool) -> None:
    from warning.context import initialise
    from warning.jobs.delivery import deliver_due
    from warning.settings import load_settings

    context = initialise(load_settings(**_settings_for(url, Path(folder))))
    if loop:  # until nothing is left (a killed worker's leases run out meanwhile)
        idle_rounds = 0
        while idle_rounds < 3:
            counts = deliver_due(context, batch=200)
            idle_rounds = idle_rounds + 1 if not any(counts.values()) else 0
            if not any(counts.values()):
                time.sleep(LEASE_S / 2)
    else:
        deliver_due(context, batch=200)
    context.engine.dispose()


def _requests(log: Path) -> list[tuple[str, float]]:
    """(webhook-id, when) of each webhook received (the start-up probe carries no id)."""
    found = []
    for line in log.read_text().splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] != "-":
            found.append((parts[0], float(parts[1])))
    return found


def _received(log: Path) -> Counter[str]:
    return Counter(webhook_id for webhook_id, _ in _requests(log))


def _span(log: Path) -> float:
    """Seconds from the first request received to the last (the workers' start-up aside)."""
    moments = [when for _, when in _requests(log)]
    return max(moments) - min(moments)


def _run(url: str, folder: Path, workers: int, *, kill_one: bool) -> tuple[float, Counter[str]]:
    """Seconds from the first request received to the last; the ids received."""
    log = folder / "received.log"
    log.write_text("")
    receiver, base = _receiver(folder, log)
    try:
        _prepared(url, folder, base)
        spawn = multiprocessing.get_context("spawn")
        processes = [
            spawn.Process(target=_worker, args=(url, str(folder), kill_one)) for _ in range(workers)
        ]
        for process in processes:
            process.start()
        if kill_one:
            while sum(_received(log).values()) < CONTACTS // 3:
                time.sleep(0.05)
            os.kill(processes[0].pid or 0, signal.SIGKILL)
        deadline = time.monotonic() + 600
        while len(_received(log)) < CONTACTS and time.monotonic() < deadline:
            time.sleep(0.05)
        for process in processes:
            process.join(timeout=120)
        return _span(log), _received(log)
    finally:
        receiver.terminate()
        receiver.wait(10)


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        figures: dict[str, float] = {}
        rates = {}
        for workers in (1, WORKERS):
            folder = root / f"scale-{workers}"
            folder.mkdir()
            took, received = _run(store_url(folder), folder, workers, kill_one=False)
            assert len(received) == CONTACTS, f"{len(received)} of {CONTACTS} received"
            rates[workers] = CONTACTS / took
        folder = root / "killed"
        folder.mkdir()
        _took, received = _run(store_url(folder), folder, WORKERS, kill_one=True)
    figures["replica_deliveries_once"] = round(len(received) / CONTACTS, 4)
    figures["replica_deliveries_duplicates"] = float(sum(received.values()) - len(received))
    figures["fanout_one_worker_per_s"] = round(rates[1], 1)
    figures["fanout_three_workers_per_s"] = round(rates[WORKERS], 1)
    figures["fanout_scale_ratio"] = round(rates[WORKERS] / rates[1], 3)
    print(
        f"  {CONTACTS} webhooks, receiver latency {LATENCY_MS} ms: one worker "
        f"{rates[1]:.0f}/s, three {rates[WORKERS]:.0f}/s; with one of three killed: "
        f"{len(received)} received, {figures['replica_deliveries_duplicates']:.0f} re-sent"
    )
    return figures


if __name__ == "__main__":
    print(run())
