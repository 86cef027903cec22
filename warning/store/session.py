"""Sessions and transactions. Services take a session; only callers commit.

A service function (``fn(session, *, ...)``) does its work in the session it is given and
never commits: the caller (a CLI command, a web request, a job) owns the transaction, so an
audit row or an outbox row commits together with the change that causes it::

    with transaction(context.factory) as session:
        report = store_batch(session, batch=batch, ...)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from warning.store.engine import SQLITE_BEGIN


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A factory of sessions bound to ``engine`` (objects stay readable after commit)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work commits on success and rolls back on any error.

    On SQLite it takes the write lock as it begins (waiting for another process's write to
    end, up to the busy timeout), so it never fails half-way for a lock (warning.store.engine).
    """
    with factory() as session, session.begin():
        session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})
        yield session


@contextmanager
def read_only(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for reading; whatever it holds is rolled back when the block ends."""
    with factory() as session:
        yield session
