"""The service's log lines: text or JSON (``WARNING_LOG_FORMAT``), each with the id of the
request or job it belongs to.

A web request sets :data:`request_id` for its duration (``X-Request-ID`` when the client sent
a sane one, else a new id, given back in the answer's header); a scheduled job sets
:data:`job_id` (``feed:cu@2026-12-07T09:00:00+00:00``). Every record carries both fields
(``-`` when none), so a JSON line can be filtered by either.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Final

from pythonjsonlogger.json import JsonFormatter

request_id: ContextVar[str] = ContextVar("request_id", default="-")
job_id: ContextVar[str] = ContextVar("job_id", default="-")

TEXT_FORMAT: Final = "%(asctime)s %(levelname)s %(message)s"
JSON_FIELDS: Final = "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s"
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class _Ids(logging.Filter):
    """Adds ``request_id`` and ``job_id`` to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.job_id = job_id.get()
        return True


def configure(log_format: str, *, level: int = logging.INFO) -> None:
    """Log to stderr in ``log_format`` (``text`` or ``json``) from here on, replacing any
    handler set before (a spawned worker process calls this too)."""
    handler = logging.StreamHandler()
    handler.addFilter(_Ids())
    if log_format == "json":
        handler.setFormatter(
            JsonFormatter(
                JSON_FIELDS + " %(request_id)s %(job_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                timestamp=False,
            )
        )
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("apscheduler", "alembic"):  # a line per job run, per /readyz: noise
        logging.getLogger(noisy).setLevel(logging.WARNING)


def new_request_id(given: str | None) -> str:
    """The id of a request: the client's ``X-Request-ID`` when it is a sane token, else new."""
    if given and _SANE_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


@contextmanager
def job(name: str) -> Iterator[None]:
    """Log lines inside the block carry ``name`` as their job id."""
    token = job_id.set(name)
    try:
        yield
    finally:
        job_id.reset(token)
