"""A worker killed between sending and recording: the delivery is sent again, with the same
id, by the next worker (at least once, never lost). Several workers share without duplicates."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.alerts.conftest import Receiver, Reply
from tests.delivery.conftest import MakeContext, approve, load, two_contacts
from warning.delivery.models import Delivery, DeliveryAttempt, DeliveryStatus
from warning.directory.models import ContactEndpoint
from warning.jobs.delivery import route
from warning.store import read_only, transaction

ROOT = Path(__file__).resolve().parents[2]


def worker(
    database_url: str, tmp_path: Path, *args: str, lease_s: str = "1"
) -> subprocess.Popen[str]:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("WARNING_")},
        "WARNING_DATABASE_URL": database_url,
        "WARNING_WEBHOOK_ALLOW": "127.0.0.0/8",
        "WARNING_GROUP_WAIT": "0",
        "WARNING_DELIVERY_LEASE_S": lease_s,
        "WARNING_SECRET_KEY": "test-secret-key",
        "WARNING_VAR_DIR": str(tmp_path / "var"),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "warning.cli", "deliver", *args],
        env=environment,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def webhook_only(context: object) -> None:
    with transaction(context.factory) as session:  # type: ignore[attr-defined]
        for endpoint in session.scalars(select(ContactEndpoint)):
            endpoint.contact.channels = "webhook"


def test_a_worker_killed_after_sending_is_covered_by_the_next(
    make_context: MakeContext, receiver: Receiver, tmp_path: Path, database_url: str
) -> None:
    context = make_context()
    load(context, two_contacts(tmp_path, webhook_url=f"{receiver.url}/hooks/a"))
    webhook_only(context)
    approve(context, {"copper": ("red", "up")})
    arrived = threading.Event()

    def hold(_path: str) -> Reply:
        arrived.set()
        return Reply(delay_s=5.0)  # the first worker is killed while it waits

    receiver.serve(hold, Reply())
    first = worker(database_url, tmp_path, "--loop")
    assert arrived.wait(60), "the first worker never sent"
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    with read_only(context.factory) as session:
        assert session.scalars(select(Delivery.status)).one() == DeliveryStatus.SENDING

    time.sleep(1.2)  # the lease runs out
    second = worker(database_url, tmp_path, "--json")
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err
    assert '"sent": 1' in out
    ids = [hit.headers["webhook-id"] for hit in receiver.received]
    assert len(ids) == 2 and ids[0] == ids[1]  # sent twice, one id: receivers drop the copy
    with read_only(context.factory) as session:
        assert session.scalars(select(Delivery.status)).one() == DeliveryStatus.SENT


@pytest.mark.postgres
def test_two_workers_share_the_outbox_without_duplicates(
    make_context: MakeContext, receiver: Receiver, tmp_path: Path, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers at once: PostgreSQL (SQLite has one writer)")
    context = make_context()
    rows = [
        f"Demo {n},{code},false,P{n},p{n}@x.example,zh,{receiver.url}/h/{n},"
        "whsec_c2VjcmV0LWtleS1mb3ItdGVzdHMtMTIzNA==,copper,blue,,webhook"
        for n, code in enumerate(CODES_40)
    ]
    from tests.delivery.conftest import write_directory

    load(context, write_directory(tmp_path / "many.csv", *rows))
    approve(context, {"copper": ("red", "up")})
    route(context)  # the 40 deliveries exist before the workers start
    receiver.serve(Reply(delay_s=0.5))
    # small batches, slow replies: the three share the work rather than one taking it all
    workers = [
        worker(database_url, tmp_path, "--json", "--batch", "2", lease_s="300") for _ in range(3)
    ]
    for process in workers:
        process.communicate(timeout=180)
    paths = sorted(hit.path for hit in receiver.received)
    assert len(paths) == 40 and len(set(paths)) == 40  # each once
    with read_only(context.factory) as session:
        assert set(session.scalars(select(Delivery.status))) == {DeliveryStatus.SENT}
        senders = set(session.scalars(select(DeliveryAttempt.worker)))
    assert len(senders) >= 2  # more than one worker sent: they shared the outbox


def _codes(count: int) -> list[str]:
    from warning.directory.credit_code import check_character

    bodies = [f"9111000000000{n:04d}" for n in range(count)]
    return [body + check_character(body) for body in bodies]


CODES_40 = _codes(40)
