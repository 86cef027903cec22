"""The database engine: SQLite (the default) or PostgreSQL, configured for this service.

SQLite is shared between processes (the scheduler, CLI commands) through WAL journaling and
a busy timeout: a connection that finds the store locked waits up to ``busy_timeout_s``
before it fails with "database is locked". A write transaction (:func:`warning.store.
transaction`) takes the write lock when it begins (``BEGIN IMMEDIATE``, asked for with the
execution option :data:`SQLITE_BEGIN`): a deferred one that read first and then wrote would
fail at once, without waiting, when another process had written in between.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from warning.store.errors import StoreError, shown

DEFAULT_BUSY_TIMEOUT_S: Final = 30.0
SQLITE_BEGIN: Final = "sqlite_begin"  # execution option: "IMMEDIATE" for write transactions


def make_engine(url: str, *, busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S) -> Engine:
    """Create an engine; for SQLite, create the file's folder, enforce foreign keys, journal
    in WAL mode and wait up to ``busy_timeout_s`` for a lock held by another process.

    :class:`~warning.store.errors.StoreError` when the SQLite folder cannot be created.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        folder = Path(parsed.database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            problem = "a file is in the way" if folder.is_file() else error.strerror or error
            raise StoreError(
                f"cannot create the folder {folder} of the database {shown(url)}: {problem}"
            ) from None
    engine = create_engine(url, connect_args={"timeout": busy_timeout_s})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: object) -> None:
    dbapi_connection.isolation_level = None  # the driver begins nothing: _sqlite_begin does
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    mode = connection.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")
