"""``warning serve`` as a real process: it exits within WARNING_SHUTDOWN_GRACE_S of SIGTERM even
while a request thread is stuck, and believes X-Forwarded-For only from the proxies named in
WARNING_TRUSTED_PROXIES (so the login limit counts the real peer's failures)."""

from __future__ import annotations

import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx

from tests.support.cli import environment, run, start
from warning.accounts.sessions import PER_ADDRESS

PASSWORD = "admin-password-1"
STUCK_S = 600  # the request thread waits this long for the store's write lock


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(tmp_path: Path, **env: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``warning serve --no-scheduler`` on a store with the admin ``ada``, until it answers."""
    assert run(tmp_path, "init").returncode == 0
    added = run_with_stdin(tmp_path, PASSWORD + "\n", "users", "add", "ada", "--role", "admin")
    assert added.returncode == 0, added.stderr
    port = free_port()
    service = start(tmp_path, "serve", "--no-scheduler", "--port", str(port), **env)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            if service.poll() is not None:
                raise AssertionError(service.communicate()[1])
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield service, url
    finally:
        if service.poll() is None:
            service.kill()
        service.communicate()


def run_with_stdin(tmp_path: Path, stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "warning.cli", *args, "--password-stdin"],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment(tmp_path),
        cwd=tmp_path,
        timeout=120,
    )


def log_in(url: str, name: str, password: str, **headers: str) -> httpx.Response:
    """The login form as a browser posts it (its CSRF cookie and field)."""
    return httpx.post(
        f"{url}/login",
        data={"name": name, "password": password, "csrf_token": "t", "next": "/"},
        cookies={"warning_login_csrf": "t"},
        headers=headers,
        timeout=30,
    )


def test_x_forwarded_for_from_an_untrusted_peer_does_not_escape_the_login_limit(
    tmp_path: Path,
) -> None:
    with serving(tmp_path) as (_service, url):
        for attempt in range(PER_ADDRESS):  # one failure for each of 20 names: the address's
            assert log_in(url, f"guess{attempt}", "wrong-password").status_code == 401
        assert log_in(url, "ada", PASSWORD).status_code == 429
        spoofed = log_in(url, "ada", PASSWORD, **{"X-Forwarded-For": "203.0.113.9"})
        assert spoofed.status_code == 429
        rotated = log_in(url, "ada", PASSWORD, **{"X-Forwarded-For": "203.0.113.10"})
        assert rotated.status_code == 429


def test_x_forwarded_for_from_a_trusted_proxy_names_the_client(tmp_path: Path) -> None:
    with serving(tmp_path, WARNING_TRUSTED_PROXIES="127.0.0.1") as (_service, url):
        for attempt in range(PER_ADDRESS):
            forwarded = {"X-Forwarded-For": "203.0.113.9"}
            assert log_in(url, f"guess{attempt}", "wrong-password", **forwarded).status_code == 401
        assert log_in(url, "ada", PASSWORD, **{"X-Forwarded-For": "203.0.113.9"}).status_code == 429
        other = log_in(url, "ada", PASSWORD, **{"X-Forwarded-For": "198.51.100.7"})
        assert other.status_code == 303  # another client behind the proxy: not throttled


def test_serve_exits_within_the_grace_while_a_request_thread_is_stuck(tmp_path: Path) -> None:
    env = {"WARNING_SHUTDOWN_GRACE_S": "1", "WARNING_SQLITE_BUSY_TIMEOUT_S": str(STUCK_S)}
    with serving(tmp_path, **env) as (service, url):
        blocker = sqlite3.connect(tmp_path / "cli.db", isolation_level=None, timeout=30)
        blocker.execute("BEGIN IMMEDIATE")  # the store's write lock, held by the test
        stuck = threading.Thread(
            target=lambda: _ignore_errors(lambda: log_in(url, "ada", PASSWORD)), daemon=True
        )
        stuck.start()
        time.sleep(1.0)  # the login's thread is now waiting for the write lock
        assert stuck.is_alive()
        asked = time.monotonic()
        service.send_signal(signal.SIGTERM)
        try:
            service.wait(timeout=60)
        finally:
            blocker.rollback()
            blocker.close()
        took = time.monotonic() - asked
        _stdout, stderr = service.communicate()
    assert service.returncode == 0, stderr
    assert took < STUCK_S / 20, f"took {took:.1f} s"  # grace 1 s (and start-up noise), not 600
    assert "still running 1 s after SIGTERM: exiting now" in stderr, stderr


def _ignore_errors(call: Callable[[], object]) -> None:
    with suppress(httpx.HTTPError):  # the server goes away under it
        call()
