"""Named locks held across processes, for work that must not overlap (derive and evaluate).

On PostgreSQL a session-level advisory lock on a connection of its own; on a SQLite file an
exclusive ``flock`` on a file beside it (``<db>.<name>.lock``); for an in-memory SQLite
database (one process by nature) a thread lock. Each waits until the lock is free.

:func:`hold_until_commit` is the other kind: a lock the caller's transaction holds until it
ends, for a check-then-write that two requests must not both pass (the first admin).
"""

from __future__ import annotations

import fcntl
import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

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


def hold_until_commit(session: Session, name: str) -> None:
    """Take the lock ``name`` in ``session``'s transaction, waiting until it is free; it is
    released when the transaction ends. On PostgreSQL a transaction-level advisory lock. On
    SQLite nothing is needed: a transaction begins (DEFERRED) before its first read, so of
    two that read and then write, the second to write finds its snapshot stale and fails
    instead of writing on what it read."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(lock_key(name))))


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
