"""Calling a library function politely and within a hard deadline.

- **One call at a time per upstream host**, and at least ``interval_s`` between the end of
  one call and the start of the next to the same host (portals rate-limit and ban addresses).
  A host is named by the definition (``akshare.host``), since the library hides its URLs.
- **A hard deadline.** Some library functions set no timeout (or loop until a page appears):
  the call runs in a worker thread and is abandoned when the deadline passes. Python cannot
  stop a thread, so the abandoned call keeps its host until it returns by itself; meanwhile
  other calls to that host fail at once ("busy with an abandoned call") instead of queueing
  behind it, and calls to other hosts are not affected.
- **Retries like HTTP** (:mod:`feeds.http`): exponential backoff with full jitter between
  attempts; an error that will not heal (an HTTP 4xx other than 429, such as DCE's 412 to
  scrapers; wrong arguments) is not retried. A library or function that is not there is
  found before any of this (:meth:`feeds.library.FunctionTable.function`).

Timing goes through the policy's ``monotonic`` and ``sleep`` (injectable); the deadline itself
is a real wait on the worker.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

import pandas as pd

from feeds.http import HttpPolicy

_STATUS_TEXT: Final = re.compile(r"\b([45]\d\d) (?:Client|Server) Error")


class CallFailed(Exception):
    """A call that failed for good: ``problem`` and the HTTP ``status`` if one was seen."""

    def __init__(self, problem: str, *, status: int | None = None, attempts: int = 1) -> None:
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        super().__init__(f"{problem}{tries}")
        self.problem = problem
        self.status = status
        self.attempts = attempts


@dataclass
class HostGate:
    """The one slot of an upstream host: who holds it, when its last call ended."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    last_end: float | None = None
    abandoned: str | None = None  # the call that holds the slot after its deadline


_GATES: dict[str, HostGate] = {}
_GATES_LOCK = threading.Lock()


def host_gate(host: str) -> HostGate:
    """The process-wide gate of ``host``."""
    with _GATES_LOCK:
        return _GATES.setdefault(host, HostGate())


class _Busy(Exception):
    pass


class _Timeout(Exception):
    pass


class _Refused(Exception):
    """An error that no retry heals."""


def call_politely(
    function: Callable[[], pd.DataFrame],
    *,
    what: str,
    host: str,
    interval_s: float,
    deadline_s: float,
    attempts: int,
    policy: HttpPolicy,
) -> pd.DataFrame:
    """Call ``function`` (no arguments) under the rules above; raise CallFailed for good."""
    gate = host_gate(host)
    for attempt in range(1, attempts + 1):
        try:
            return _once(
                function,
                what=what,
                gate=gate,
                interval_s=interval_s,
                deadline_s=deadline_s,
                policy=policy,
            )
        except _Busy as busy:
            raise CallFailed(str(busy), attempts=attempt) from None
        except _Timeout as timeout:
            problem, status = str(timeout), None
            if gate.abandoned is not None:  # a retry would only find the host still busy
                raise CallFailed(problem, attempts=attempt) from None
        except Exception as error:  # what the library raises is its own business
            status = http_status(error)
            problem = f"{type(error).__name__}: {error}"
            if not _retryable(error, status):
                raise CallFailed(problem, status=status, attempts=attempt) from error
        if attempt == attempts:
            raise CallFailed(problem, status=status, attempts=attempt)
        policy.sleep(policy.backoff(attempt))
    raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover


def _once(
    function: Callable[[], pd.DataFrame],
    *,
    what: str,
    gate: HostGate,
    interval_s: float,
    deadline_s: float,
    policy: HttpPolicy,
) -> pd.DataFrame:
    if gate.abandoned is not None:
        raise _Busy(f"the host is busy with an abandoned call ({gate.abandoned}); not called")
    answer: dict[str, object] = {}
    started, done, cancelled = threading.Event(), threading.Event(), threading.Event()
    state = threading.Lock()  # orders "abandoned" between this call and its worker

    def work() -> None:
        with gate.lock:
            if gate.last_end is not None and not cancelled.is_set():
                wait = gate.last_end + interval_s - policy.monotonic()
                if wait > 0:
                    policy.sleep(wait)
            with state:  # the caller gives up and looks at `started` under the same lock
                if cancelled.is_set():
                    return
                started.set()
            try:
                answer["frame"] = function()
            except BaseException as error:  # handed to the caller
                answer["error"] = error
            finally:
                with state:
                    gate.last_end = policy.monotonic()
                    if cancelled.is_set():
                        gate.abandoned = None  # the abandoned call came back: the host is free
                    done.set()

    worker = threading.Thread(target=work, name=f"feed call {what}", daemon=True)
    worker.start()
    done.wait(deadline_s)
    with state:
        cancelled.set()
        if not done.is_set():
            if started.is_set():
                gate.abandoned = what
                raise _Timeout(f"no answer within {deadline_s:g} s; the call was abandoned")
            raise _Timeout(f"the host stayed busy for {deadline_s:g} s; not called")
    error = answer.get("error")
    if isinstance(error, BaseException):
        raise error
    frame = answer.get("frame")
    if not isinstance(frame, pd.DataFrame):
        raise _Refused(f"the function returned {type(frame).__name__}, not a table")
    return frame


def http_status(error: BaseException) -> int | None:
    """The HTTP status behind a library's exception (requests, curl_cffi, httpx), if any."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        response = getattr(current, "response", None)
        for holder in (response, current):
            status = getattr(holder, "status_code", None)
            if isinstance(status, int):
                return status
        match = _STATUS_TEXT.search(str(current))
        if match:
            return int(match.group(1))
        current = current.__cause__ or current.__context__
    return None


def _retryable(error: Exception, status: int | None) -> bool:
    if isinstance(error, (_Refused, TypeError)):  # a wrong argument or answer stays wrong
        return False
    return status is None or status == 429 or status >= 500
