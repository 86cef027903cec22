"""Several ``warning serve --no-web`` processes on one store, as a deployment runs them.

Started at once, they catch up each missed feed job once between them (one ``feed_run`` per
feed and scheduled time); a replica SIGKILLed while it holds a feed run leaves it to another
after the lease; on SIGTERM a replica starts no job from that moment, records what finished as
finished, and releases what it held unfinished at once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.conftest import postgres_url
from tests.service.feed_helpers import price_feed, write_feeds_yaml
from tests.support.loopback import LoopbackServer, Reply
from tests.support.store import load_catalog_into
from warning.catalog import load_catalog
from warning.store import make_engine, migrate, session_factory

SERIES = [
    ("copper", "copper_shfe_futures"),
    ("aluminium", "aluminium_shfe_futures"),
    ("zinc", "zinc_shfe_futures"),
    ("iron_ore", "iron_ore_dce_futures"),
    ("coke", "coke_dce_futures"),
    ("alumina", "alumina_shfe_futures"),
]
PRICES = b"date,close\n2026-03-02,100\n2026-03-03,101\n"
NO_ROWS = b"date,close\n"  # nothing stored, so no evaluation follows: the test stays quick
SLOW_S = 60.0


def feeds_file(tmp_path: Path, base: str, count: int, *, slow: int = 0) -> Path:
    """``count`` feeds on the loopback server; the first ``slow`` answer after a minute."""
    return write_feeds_yaml(
        tmp_path / "feeds.yaml",
        *[
            price_feed(
                f"f{n}",
                f"{base}/{'slow' if n < slow else 'quick'}/f{n}.csv",
                source="http_csv",
                series=series,
                material=material,
                timeout_s=120,
            )
            for n, (material, series) in enumerate(SERIES[:count])
        ],
    )


def answer(slow_first: int = 0, body: bytes = PRICES) -> Callable[[dict[str, str]], Reply]:
    """Prices at once, except for paths under /slow/ (the first ``slow_first`` times of
    each such path, or always when 0)."""
    seen: dict[str, int] = {}
    lock = threading.Lock()

    def reply(headers: dict[str, str]) -> Reply:
        path = headers["path"]
        with lock:
            seen[path] = seen.get(path, 0) + 1
            times = seen[path]
        slow = path.startswith("/slow/") and (slow_first == 0 or times <= slow_first)
        return Reply(body=body, delay_s=SLOW_S if slow else 0.0)

    return reply


def store_url(tmp_path: Path, kind: str) -> str:
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = postgres_url()
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    migrate(url)
    return url


def environment(url: str, feeds: Path, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("WARNING_")},
        "WARNING_DATABASE_URL": url,
        "WARNING_FEEDS_PATH": str(feeds),
        "WARNING_VAR_DIR": str(tmp_path / "var"),
        "WARNING_JOB_LEASE_S": "2",
        "WARNING_SHUTDOWN_GRACE_S": "2",
        **extra,
    }


@contextmanager
def replicas(env: dict[str, str], count: int, *args: str) -> Iterator[list[subprocess.Popen[str]]]:
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "warning.cli", "serve", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(count)
    ]
    try:
        yield started
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
            process.communicate()


def rows(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql))]
    finally:
        engine.dispose()


def wait_for(condition: Callable[[], bool], *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"waited {seconds:.0f} s for {what}")


def stop(process: subprocess.Popen[str], signum: signal.Signals = signal.SIGTERM) -> str:
    process.send_signal(signum)
    output, _ = process.communicate(timeout=60)
    return output


def init(env: dict[str, str]) -> None:
    """What ``warning init`` does after migrating: the catalog in the store (in this process:
    a command's start-up costs seconds)."""
    engine = make_engine(env["WARNING_DATABASE_URL"])
    try:
        load_catalog_into(session_factory(engine), load_catalog())
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_three_replicas_started_at_once_catch_up_each_feed_once(
    server: LoopbackServer, tmp_path: Path
) -> None:
    url = store_url(tmp_path, "postgres")
    server.serve(answer(body=NO_ROWS))
    env = environment(url, feeds_file(tmp_path, server.url, 6), tmp_path)
    init(env)
    with replicas(env, 3, "--no-web") as started:
        wait_for(
            lambda: (
                rows(
                    url,
                    "SELECT count(*) FROM job_run WHERE job LIKE 'feed:%' AND status = 'finished'",
                )[0][0]
                == 6
            ),
            seconds=180,
            what="six feed jobs finished",
        )
        time.sleep(3)  # a duplicate, were there one, would start within the take-over beat
        outputs = [stop(process) for process in started]
    feed_runs = rows(url, "SELECT feed, count(*) FROM feed_run WHERE kind = 'feed' GROUP BY feed")
    assert sorted(feed_runs) == [(f"f{n}", 1) for n in range(6)], outputs
    assert len(server.requests) == 6
    jobs = rows(url, "SELECT job, status, claims FROM job_run WHERE job LIKE 'feed:%'")
    assert sorted(jobs) == [(f"feed:f{n}", "finished", 1) for n in range(6)]
    holders = rows(
        url, "SELECT count(*) FROM job_run WHERE worker IS NULL OR lease_until IS NOT NULL"
    )
    assert holders == [(0,)]  # each finished run names the replica that ran it, holds no lease
    assert all(process.returncode == 0 for process in started), outputs


@pytest.mark.postgres
def test_a_replica_killed_holding_a_feed_run_leaves_it_to_another(
    server: LoopbackServer, tmp_path: Path
) -> None:
    url = store_url(tmp_path, "postgres")
    server.serve(answer(slow_first=1))  # the first fetch hangs, the one taken over does not
    env = environment(url, feeds_file(tmp_path, server.url, 1, slow=1), tmp_path)
    init(env)
    with replicas(env, 1, "--no-web") as (first,):
        wait_for(lambda: len(server.requests) == 1, seconds=60, what="the first fetch")
        with replicas(env, 1, "--no-web") as (second,):
            time.sleep(1)  # the second replica is up and finds the run held
            first.send_signal(signal.SIGKILL)
            first.wait(10)
            wait_for(
                lambda: rows(url, "SELECT status FROM job_run") == [("finished",)],
                seconds=60,
                what="the run taken over and finished",
            )
            output = stop(second)
    assert len(server.requests) == 2
    assert rows(url, "SELECT feed, status FROM feed_run WHERE kind = 'feed'") == [("f0", "ok")]
    assert rows(url, "SELECT claims FROM job_run") == [(2,)], output  # claimed again


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_sigterm_during_a_catch_up_starts_nothing_more_and_releases_what_it_held(
    server: LoopbackServer, tmp_path: Path, kind: str
) -> None:
    url = store_url(tmp_path, kind)
    server.serve(answer(body=NO_ROWS))
    # three slow feeds fill the three feed threads; the three quick ones wait behind them
    env = environment(url, feeds_file(tmp_path, server.url, 6, slow=3), tmp_path)
    init(env)
    with replicas(env, 1, "--no-web") as (replica,):
        slow_asked = lambda: sum(r["path"].startswith("/slow/") for r in server.requests)  # noqa: E731
        wait_for(lambda: slow_asked() == 3, seconds=120, what="the three slow fetches")
        asked_before = len(server.requests)
        signalled = time.monotonic()
        output = stop(replica)
        took = time.monotonic() - signalled
    assert replica.returncode == 0, output
    assert took < 20, f"the stop took {took:.1f} s (grace 2 s)"
    assert len(server.requests) == asked_before, "a job started after SIGTERM"
    started = {r["path"].rsplit("/", 1)[1].removesuffix(".csv") for r in server.requests}
    runs = dict(rows(url, "SELECT feed, status FROM feed_run WHERE kind = 'feed'"))
    jobs = dict(rows(url, "SELECT job, status FROM job_run WHERE job LIKE 'feed:%'"))
    for n in range(3):  # interrupted: recorded failed, the job run released at once
        assert runs[f"f{n}"] == "failed"
        assert jobs[f"feed:f{n}"] == "released"
    for feed in started - {"f0", "f1", "f2"}:  # a quick feed that ran before: finished
        assert jobs[f"feed:{feed}"] == "finished" and runs[feed] != "failed"
    never = {f"f{n}" for n in range(3, 6)} - started
    assert all(f"feed:{feed}" not in jobs and feed not in runs for feed in never)
    assert "released unfinished" in output, output


def jobs_process(pid: int) -> int:
    """The child of ``pid`` that runs the jobs (multiprocessing's resource tracker aside)."""
    found = [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    (jobs,) = [
        child
        for child in found
        if b"resource_tracker" not in Path(f"/proc/{child}/cmdline").read_bytes()
    ]
    return jobs


def test_serve_runs_its_jobs_in_a_process_of_its_own_and_is_ready_while_it_lives(
    server: LoopbackServer, tmp_path: Path
) -> None:
    url = store_url(tmp_path, "sqlite")
    server.serve(answer(body=NO_ROWS))
    env = environment(url, feeds_file(tmp_path, server.url, 1), tmp_path)
    init(env)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    with replicas(env, 1, "--port", str(port)) as (service,):

        def ready() -> bool:
            try:
                return httpx.get(f"{base}/readyz", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        wait_for(ready, seconds=120, what="/readyz 200")
        recorded = "SELECT feed FROM feed_run WHERE kind = 'feed'"
        wait_for(lambda: rows(url, recorded) == [("f0",)], seconds=60, what="the feed caught up")
        jobs = jobs_process(service.pid)
        os.kill(jobs, signal.SIGKILL)
        wait_for(lambda: not ready(), seconds=30, what="/readyz to say no")
        answer_now = httpx.get(f"{base}/readyz", timeout=2)
        output = stop(service)
    assert answer_now.status_code == 503
    assert f"the jobs process (pid {jobs}) has exited" in answer_now.json()["reasons"][0]
    assert service.returncode == 0, output
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["--no-web", "--no-scheduler"], "--no-web and --no-scheduler together leave nothing"),
        (["--worker-only", "--no-web"], "--worker-only already means no web and no scheduler"),
    ],
)
def test_serve_refuses_roles_that_contradict(tmp_path: Path, flags: list[str], says: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "warning.cli", "serve", *flags],
        env=environment(f"sqlite:///{tmp_path / 'none.db'}", tmp_path / "none.yaml", tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert says in done.stderr
