"""The web pages under load: the board, the queue and an item page, each asked for by 50
concurrent clients for 30 seconds, on SQLite and on PostgreSQL.

The store (:mod:`benchmarks.web_store`): the bundled sample evaluated by the demo job, plus
100,000 assessments with their indicator rows (three each), 10,000 resolved warnings and
10,000 review items (1,000 of them pending, twenty pages of queue) with their audit entries.
The server is ``warning serve --no-scheduler`` (one uvicorn process, as deployed); the load
comes from another process (:mod:`benchmarks.web_load`: Debian's ``wrk``, else an asyncio
client), signed in with a session cookie. The item page is the demo's red (or first) pending
item, with its indicators, chart and audit.

Figures, per database (``sqlite``, ``postgres``) and page (``board``, ``queue``, ``item``):
``web_<db>_<page>_p95_ms`` and ``web_<db>_<page>_rps`` under load, ``web_<db>_<page>_first_ms``
(the page's first request after start-up: caches empty); ``web_<db>_p95_ms`` (the worst page's
p95) and ``web_<db>_rps`` (the slowest page's requests per second); and over both databases
``web_p95_ms`` (the worst p95) and ``web_rps`` (the lowest rate). Goal: p95 under 100 ms on a
2-core machine. PostgreSQL runs when ``WARNING_BENCH_DATABASE_URL`` names a scratch database.

The store does not change during a run, so the pages are served as kept
(:mod:`warning.web.pagecache`), as they are to a desk reloading them between changes. What a
page costs when it must be rendered is measured too: ``web_<db>_<page>_render_p95_ms`` and
``_render_rps`` load the same page for ``RENDER_SECONDS`` with a query parameter the page
ignores that differs on every request, so no request finds its page kept (the board's data,
the replayed levels and the session lookups are still kept: they change with the store).

Run: ``python -m benchmarks web``. ``BENCH_WEB_SECONDS``, ``BENCH_WEB_CLIENTS`` and
``BENCH_WEB_ASSESSMENTS`` shrink it for a quick look.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from benchmarks.web_load import LoadResult, run_load
from benchmarks.web_store import PASSWORD, USER, Sizes, fill

SECONDS = float(os.environ.get("BENCH_WEB_SECONDS", "30"))
CLIENTS = int(os.environ.get("BENCH_WEB_CLIENTS", "50"))
RENDER_SECONDS = float(os.environ.get("BENCH_WEB_RENDER_SECONDS", "10"))
ASSESSMENTS = int(os.environ.get("BENCH_WEB_ASSESSMENTS", "100000"))
ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(url: str, folder: Path) -> Iterator[str]:
    """``warning serve --no-scheduler`` on ``url``'s store; its base URL while it runs."""
    port = _free_port()
    env = {**os.environ, "WARNING_DATABASE_URL": url, "WARNING_VAR_DIR": str(folder)}
    env.pop("WARNING_AS_OF", None)
    log = folder / f"serve-{port}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "warning.cli", "serve", "--no-scheduler", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base, process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_for(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped: {log.read_text()}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise RuntimeError(f"the server did not come up: {log.read_text()}")


def session_cookie(base: str) -> str:
    """Log in as the benchmark's user through the login form; the ``Cookie`` header value."""
    with httpx.Client(base_url=base, follow_redirects=False) as client:
        form = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        if token is None:
            raise RuntimeError("no login form")
        answer = client.post(
            "/login",
            data={"name": USER, "password": PASSWORD, "csrf_token": token.group(1), "next": "/"},
        )
        if answer.status_code != 303:
            raise RuntimeError(f"login refused: {answer.status_code}")
        return f"warning_session={client.cookies['warning_session']}"


def first_request_ms(url: str, cookie: str) -> float:
    started = time.perf_counter()
    answer = httpx.get(url, headers={"Cookie": cookie}, timeout=60)
    elapsed = 1000 * (time.perf_counter() - started)
    if answer.status_code != 200:
        raise RuntimeError(f"{url}: {answer.status_code}")
    return elapsed


def measure(name: str, url: str, folder: Path) -> dict[str, float]:
    """Fill the store at ``url``, serve it and load each page."""
    started = time.perf_counter()
    filled = fill(url, Sizes(assessments=ASSESSMENTS))
    print(f"  {name}: store filled in {time.perf_counter() - started:.0f} s", flush=True)
    pages = {"board": "/", "queue": "/queue", "item": f"/items/{filled.item_id}"}
    figures: dict[str, float] = {}
    with serving(url, folder) as base:
        cookie = session_cookie(base)
        for page, path in pages.items():
            figures[f"web_{name}_{page}_first_ms"] = round(first_request_ms(base + path, cookie), 1)
            result = run_load(base + path, cookie=cookie, clients=CLIENTS, seconds=SECONDS)
            figures[f"web_{name}_{page}_p95_ms"] = round(result.p95_ms, 1)
            figures[f"web_{name}_{page}_rps"] = round(result.rps, 1)
            _report(f"{name} {page}", result)
            rendered = run_load(
                base + path, cookie=cookie, clients=CLIENTS, seconds=RENDER_SECONDS, unique=True
            )
            figures[f"web_{name}_{page}_render_p95_ms"] = round(rendered.p95_ms, 1)
            figures[f"web_{name}_{page}_render_rps"] = round(rendered.rps, 1)
            _report(f"{name} {page}, rendered every time", rendered)
    figures[f"web_{name}_p95_ms"] = max(figures[f"web_{name}_{page}_p95_ms"] for page in pages)
    figures[f"web_{name}_rps"] = min(figures[f"web_{name}_{page}_rps"] for page in pages)
    return figures


def _report(what: str, result: LoadResult) -> None:
    print(
        f"  {what}: p50 {result.p50_ms:.1f} ms, p95 {result.p95_ms:.1f} ms, "
        f"p99 {result.p99_ms:.1f} ms, {result.rps:.0f} req/s ({result.tool})",
        flush=True,
    )


def run() -> dict[str, float]:
    """All figures of this module (see the module docstring)."""
    print(f"  machine: {os.cpu_count()} CPUs; {CLIENTS} clients, {SECONDS:.0f} s per page")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        figures = measure("sqlite", f"sqlite:///{folder / 'bench.db'}", folder)
        names = ["sqlite"]
        pg_url = os.environ.get("WARNING_BENCH_DATABASE_URL")  # dropped and recreated: scratch
        if pg_url:
            figures.update(measure("postgres", pg_url, folder))
            names.append("postgres")
        else:
            print("  postgres: skipped (set WARNING_BENCH_DATABASE_URL to a scratch database)")
    figures["web_p95_ms"] = max(figures[f"web_{name}_p95_ms"] for name in names)
    figures["web_rps"] = min(figures[f"web_{name}_rps"] for name in names)
    return figures


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value}")
