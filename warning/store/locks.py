"""Named locks held across processes, for work that must not overlap (derive and evaluate).

On PostgreSQL a session-level advisory lock on a connection of its own; on a SQLite file an
exclusive ``flock`` on a file beside it (``<db>.<name>.lock``); for an in-memory SQLite
database (one process by nature) a thread lock. Each waits until the lock is free.
"""

from __future__ import annotations

import fcntl
import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, func, select

_THREAD_LOCKS: dict[str, threading.Lock] = {}


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (PostgreSQL advisory locks take a bigint)."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def held(engine: Engine, name: str) -> Iterator[None]:
    """Hold the lock ``name`` on this store for the block, whichever process asks."""
    if engine.dialect.name == "postgresql":
        with _advisory(engine, name):
            yield
        return
    database = engine.url.database
    if not database or database == ":memory:":
        with _THREAD_LOCKS.setdefault(name, threading.Lock()):
            yield
        return
    with _flock(Path(f"{database}.{name}.lock")):
        yield


@contextmanager
def _advisory(engine: Engine, name: str) -> Iterator[None]:
    key = lock_key(name)
    with engine.connect() as connection:
        connection.execute(select(func.pg_advisory_lock(key)))
        connection.commit()
        try:
            yield
        finally:
            connection.execute(select(func.pg_advisory_unlock(key)))
            connection.commit()


@contextmanager
def _flock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
