"""``warning serve`` on SIGTERM and SIGINT, with a feed run in flight: it stops taking work,
gives the run the grace set in WARNING_SHUTDOWN_GRACE_S, records the run as interrupted (a
failed feed run saying why), logs it and exits: not at once with no record, and not after
the slow feed has finished."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.service.feed_helpers import price_feed, write_feeds_yaml
from tests.support.loopback import LoopbackServer, Reply

SLOW_S = 60.0  # the feed's server answers after a minute


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_records_the_feed_run_it_interrupts_and_exits_within_the_grace(
    server: LoopbackServer, tmp_path: Path, signum: signal.Signals
) -> None:
    server.serve(Reply(body=b"date,close\n2026-03-02,100\n", delay_s=SLOW_S))
    feeds = write_feeds_yaml(
        tmp_path / "feeds.yaml",
        price_feed("cu", f"{server.url}/cu.csv", source="http_csv", timeout_s=120),
    )
    database = tmp_path / "store.db"
    env = {
        **os.environ,
        "WARNING_DATABASE_URL": f"sqlite:///{database}",
        "WARNING_FEEDS_PATH": str(feeds),
        "WARNING_SHUTDOWN_GRACE_S": "1",
        "WARNING_VAR_DIR": str(tmp_path / "var"),
    }
    command = [sys.executable, "-m", "warning.cli"]
    subprocess.run([*command, "init"], env=env, check=True, capture_output=True)
    service = subprocess.Popen(
        [*command, "serve", "--no-web"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for _ in range(300):  # the feed never ran, so it is caught up at start
            if server.requests or service.poll() is not None:
                break
            time.sleep(0.1)
        if not server.requests:
            service.kill()
            pytest.fail(f"the feed run did not start: {service.communicate()[0]}")
        time.sleep(0.5)
        asked = time.monotonic()
        service.send_signal(signum)
        output, _ = service.communicate(timeout=30)
        took = time.monotonic() - asked
    finally:
        if service.poll() is None:
            service.kill()
            service.wait()
    assert service.returncode == 0, output
    assert took < SLOW_S / 3, f"waited {took:.1f} s for the slow feed"  # grace 1 s, not 60
    assert "feed cu: interrupted" in output, output
    with sqlite3.connect(database) as store:
        runs = store.execute("SELECT feed, status, error FROM feed_run").fetchall()
    assert [(feed, status) for feed, status, _ in runs] == [("cu", "failed")]
    assert f"interrupted: the service shut down ({signum.name})" in runs[0][2]
