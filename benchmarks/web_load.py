"""Load on one page: N concurrent clients asking for it back to back for some seconds, from a
process of its own; latencies and throughput out.

Debian's ``wrk`` (C, one thread) when installed: it needs little of the CPU it shares with the
server. Otherwise this module's own asyncio client (``python -m benchmarks.web_load URL``),
which costs the server more CPU and so reads slower. Either way the result is a
:class:`LoadResult`, and a run with errors or non-200 answers is refused rather than
reported.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

WRK_UNIQUE = """
counter = 0
local separator = string.find(wrk.path, "?", 1, true) and "&" or "?"
request = function()
  counter = counter + 1
  return wrk.format(nil, wrk.path .. separator .. "n=" .. counter)
end
"""
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.6f, "errors": %d, "non_2xx": %d, '
    .. '"p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f}\\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.timeout,
    e.status, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3))
end
"""


@dataclass(frozen=True)
class LoadResult:
    """What one load run measured."""

    tool: str
    requests: int
    seconds: float
    errors: int
    non_2xx: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


class LoadError(RuntimeError):
    """The run had failed or non-200 requests: its figures would mean nothing."""


def run_load(
    url: str, *, cookie: str, clients: int, seconds: float, unique: bool = False
) -> LoadResult:
    """Load ``url`` (with ``cookie``) from a separate process; refuse a run with failures.

    ``unique``: each request adds ``n=<count>`` to the query, a parameter the pages ignore,
    so that no two requests ask for the same URL (a kept page never serves one)."""
    if shutil.which("wrk"):
        result = _wrk(url, cookie, clients, seconds, unique)
    else:
        result = _python(url, cookie, clients, seconds, unique)
    if result.errors or result.non_2xx or not result.requests:
        raise LoadError(f"{url}: {result}")
    return result


def _wrk(url: str, cookie: str, clients: int, seconds: float, unique: bool) -> LoadResult:
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "report.lua"
        script.write_text((WRK_UNIQUE if unique else "") + WRK_REPORT)
        done = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{clients}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                "-H",
                f"Cookie: {cookie}",
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    line = [row for row in done.stdout.splitlines() if row.startswith("{")][-1]
    return LoadResult(tool="wrk", **json.loads(line))


def _python(url: str, cookie: str, clients: int, seconds: float, unique: bool) -> LoadResult:
    command = [
        sys.executable,
        "-m",
        "benchmarks.web_load",
        url,
        "--cookie",
        cookie,
        "--clients",
        str(clients),
        "--seconds",
        str(seconds),
        *(["--unique"] if unique else []),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return LoadResult(**json.loads(done.stdout.strip().splitlines()[-1]))


async def _client_loop(
    client: httpx.AsyncClient,
    url: str,
    until: float,
    latencies: list[float],
    failures: list[int],
    numbers: Iterator[int] | None,
) -> None:
    separator = "&" if "?" in url else "?"
    while time.perf_counter() < until:
        started = time.perf_counter()
        target = f"{url}{separator}n={next(numbers)}" if numbers is not None else url
        try:
            answer = await client.get(target)
            await answer.aread()
        except httpx.HTTPError:
            failures[0] += 1
            continue
        latencies.append(time.perf_counter() - started)
        if answer.status_code != 200:
            failures[1] += 1


async def _asyncio_load(
    url: str, cookie: str, clients: int, seconds: float, unique: bool
) -> LoadResult:
    latencies: list[float] = []
    failures = [0, 0]
    numbers = itertools.count() if unique else None
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Cookie": cookie}
    async with httpx.AsyncClient(limits=limits, headers=headers, timeout=10.0) as client:
        started = time.perf_counter()
        until = started + seconds
        await asyncio.gather(
            *(
                _client_loop(client, url, until, latencies, failures, numbers)
                for _ in range(clients)
            )
        )
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies) or [0.0]

    def pct(q: float) -> float:
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return LoadResult(
        "python",
        len(latencies),
        elapsed,
        failures[0],
        failures[1],
        pct(0.50),
        pct(0.95),
        pct(0.99),
        1000 * ordered[-1],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--cookie", required=True)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--unique", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(
        _asyncio_load(args.url, args.cookie, args.clients, args.seconds, args.unique)
    )
    print(json.dumps(asdict(result)))


if __name__ == "__main__":
    main()
