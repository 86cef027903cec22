"""PostgreSQL going away in the middle of a cycle (issue 22): that cycle fails with one clear
logged error and stores nothing of its batch; the next cycle, on the same engine, succeeds.

A restart is simulated by terminating every connection to the test database
(``pg_terminate_backend``) while the feed's batch is being written, after its new rows were
copied: what the service sees
of a restart (each pooled connection dead at once) without stopping a server other tests
share.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from feed_helpers import TODAY, one, price_feed, write_prices
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

import warning.store.bulk
from tests.conftest import _fresh_postgres, postgres_url
from tests.support.store import load_catalog_into
from warning.catalog import load_catalog
from warning.catalog.models import Observation
from warning.feeding.models import FeedRun
from warning.jobs.feeds import run_feed
from warning.store import make_engine, session_factory

pytestmark = pytest.mark.postgres

SERIES = "copper_shfe_futures"
WEEK = [("2026-03-02", 70000), ("2026-03-03", 70500), ("2026-03-04", 71000)]
NEXT = [("2026-03-05", 70800), ("2026-03-06", 71200)]


@pytest.fixture
def pg() -> Iterator[tuple[Engine, sessionmaker[Session]]]:
    url = postgres_url()
    _fresh_postgres(url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    load_catalog_into(sessions, load_catalog())
    yield engine, sessions
    engine.dispose()


def restart_after_the_observations_are_copied(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> list[int]:
    """Terminate every connection to the engine's database right after the batch's new
    observations were copied into the open transaction (its run row written too, its
    revisions and rejects not yet); returns the terminated backends."""
    killer = create_engine(engine.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    copy = warning.store.bulk._copy_postgres
    terminated: list[int] = []

    def copy_then_restart(*args: Any, **kwargs: Any) -> None:
        copy(*args, **kwargs)
        with killer.connect() as connection:
            others = connection.execute(
                text(
                    "SELECT pid FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalars()
            for pid in list(others):  # one by one: a WHERE may call the function first
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                terminated.append(pid)
        killer.dispose()

    monkeypatch.setattr(warning.store.bulk, "_copy_postgres", copy_then_restart)
    return terminated


def stored(factory: sessionmaker[Session]) -> dict[date, float]:
    with factory() as session:
        rows = session.execute(
            select(Observation.period, Observation.value).where(Observation.series_id == SERIES)
        )
        return {period: value for period, value in rows}


def expected(rows: list[tuple[str, int]]) -> dict[date, float]:
    return {date.fromisoformat(day): float(value) for day, value in rows}


def test_a_restart_mid_batch_fails_that_cycle_once_and_the_next_one_stores_it(
    pg: tuple[Engine, sessionmaker[Session]],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine, factory = pg
    path = write_prices(tmp_path / "cu.csv", WEEK)
    feed = one(price_feed("cu", str(path)))
    assert run_feed(factory, definition=feed, today=TODAY).status == "ok"
    assert stored(factory) == expected(WEEK)

    write_prices(path, WEEK + NEXT)
    terminated = restart_after_the_observations_are_copied(engine, monkeypatch)
    with caplog.at_level(logging.ERROR):
        failed = run_feed(factory, definition=feed, today=TODAY)
    assert terminated, "the simulated restart never happened"
    assert failed.status == "failed"
    assert "storing failed" in (failed.error or "")
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in errors] == ["feed cu: storing the batch failed"]
    assert stored(factory) == expected(WEEK)  # nothing of the interrupted batch
    with factory() as session:
        statuses = list(session.scalars(select(FeedRun.status).order_by(FeedRun.id)))
    assert statuses == ["ok", "failed"]  # the failure is recorded, after the restart

    monkeypatch.undo()
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        retried = run_feed(factory, definition=feed, today=TODAY)  # the same engine and pool
    assert (retried.status, retried.accepted) == ("ok", len(NEXT))
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert stored(factory) == expected(WEEK + NEXT)
