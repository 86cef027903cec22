"""Shared fixtures: a migrated store on SQLite and, where a server is configured, PostgreSQL.

PostgreSQL tests read ``WARNING_TEST_DATABASE_URL`` (e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/warning_test``). Without it they skip with a
message saying how to run them; on CI (``CI=true``) a missing server is a failure instead.
"""

from __future__ import annotations

import functools
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from tests.support.store import load_catalog_into
from warning.catalog import load_catalog
from warning.store import make_engine, migrate, session_factory

PG_ENV = "WARNING_TEST_DATABASE_URL"
HOW_TO_RUN_PG = (
    f"PostgreSQL tests need {PG_ENV}, e.g. "
    "WARNING_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/warning_test "
    "(create the database first; .ci/run does this)"
)


def postgres_url() -> str:
    """The test PostgreSQL URL, or skip (locally) / fail (on CI) when there is none.

    Under pytest-xdist each worker gets a database of its own (``<name>_gw0``, ...), made on
    first use, since the tests drop and recreate the schema.
    """
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"on CI the PostgreSQL tests must run: {HOW_TO_RUN_PG}")
        pytest.skip(HOW_TO_RUN_PG)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return _worker_database(url, worker) if worker else url


@functools.cache
def _worker_database(url: str, worker: str) -> str:
    parsed = make_url(url)
    name = f"{parsed.database}_{worker}"
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).scalar()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store migrated once per test process: each test gets a copy of it."""
    path = tmp_path_factory.mktemp("migrated") / "store.db"
    migrate(f"sqlite:///{path}")
    with sqlite3.connect(path) as connection:  # everything in the file, nothing in its WAL
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@functools.cache
def _postgres_template(url: str) -> str:
    """A database beside ``url``'s, migrated once per test process, to copy from."""
    parsed = make_url(url)
    name = f"{parsed.database}_migrated"
    _on_server(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    migrate(parsed.set(database=name).render_as_string(hide_password=False))
    return name


def _fresh_postgres(url: str) -> None:
    """Make ``url``'s database anew as a copy of the migrated one (a copy takes about a tenth
    of the time the migrations take)."""
    template = _postgres_template(url)
    name = make_url(url).database
    _on_server(
        url,
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        f'CREATE DATABASE "{name}" TEMPLATE "{template}"',
    )


def _on_server(url: str, *statements: str) -> None:
    server = create_engine(
        make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    with server.connect() as connection:
        for statement in statements:
            connection.execute(text(statement))
    server.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A freshly migrated, empty database: SQLite in a temp folder, or the test PostgreSQL.
    Both are copies of a store migrated once per test process (the migrations themselves are
    tested from an empty database in ``tests/service/test_migration_paths.py``)."""
    if request.param == "sqlite":
        path = tmp_path / "store.db"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), path)
        return f"sqlite:///{path}"
    url = postgres_url()
    _fresh_postgres(url)
    return url


@pytest.fixture
def factory(database_url: str) -> Iterator[sessionmaker[Session]]:
    """A session factory on a migrated store with the bundled catalog loaded."""
    engine = make_engine(database_url)
    sessions = session_factory(engine)
    load_catalog_into(sessions, load_catalog())
    yield sessions
    engine.dispose()


@pytest.fixture
def write_csv(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write long-format rows (without header) to a CSV file and return its path."""

    def write(name: str, *rows: str) -> Path:
        path = tmp_path / name
        header = "series_id,material,indicator,frequency,period,value,unit"
        path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
        return path

    return write
