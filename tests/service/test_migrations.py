"""Migrations: the migrated schema is the models' schema on every database, and an existing
store upgrades with its data classified (0005: feed_run.kind)."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text

import warning.context  # noqa: F401  (every domain's tables join the metadata)
from warning.feeding.models import FeedRun, FeedRunKind
from warning.feeding.staleness import failed_derivations
from warning.store import Base, make_engine, migrate, session_factory
from warning.store.migrate import alembic_config


def test_the_migrated_schema_matches_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            assert {"feed_state", "feed_run"} <= set(inspect(connection).get_table_names())
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diffs = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert diffs == []


def test_upgrading_a_store_classifies_its_feed_runs(database_url: str) -> None:
    command.downgrade(alembic_config(database_url), "0004")
    started = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO material (id, name_zh, name_en, sector, position) "
                "VALUES ('copper', '铜', 'Copper', 'nonferrous', 0)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO series (id, material_id, indicator, frequency, unit, source, "
                "in_catalog, created_at) VALUES ('copper_x', 'copper', 'price', 'D', 'CNY/t', "
                "'', true, :started)"
            ),
            {"started": started},
        )
        for feed, source in [
            ("derived", "copper_shfe_futures"),
            ("file", "a.csv"),
            ("sample", "b.csv"),
            ("cu", "https://x.test"),
        ]:
            connection.execute(
                text(
                    "INSERT INTO feed_run (feed, source, started_at, status, rows_fetched, "
                    "accepted, revised, unchanged, rejected, suspect) "
                    "VALUES (:feed, :source, :started, 'ok', 0, 0, 0, 0, 0, 0)"
                ),
                {"feed": feed, "source": source, "started": started},
            )
        # a stored value pointing at a run: the upgrade must not recreate feed_run under it
        connection.execute(
            text(
                "INSERT INTO observation (series_id, period, value, first_value, first_seen_at, "
                "changed_at, revisions, suspect, feed_run_id) VALUES ('copper_x', '2026-11-30', "
                "1.0, 1.0, :started, :started, 0, false, (SELECT max(id) FROM feed_run))"
            ),
            {"started": started},
        )
    engine.dispose()

    migrate(database_url)

    engine = make_engine(database_url)
    with session_factory(engine)() as session:
        kinds = dict(session.execute(select(FeedRun.feed, FeedRun.kind)).tuples().all())
    engine.dispose()
    assert kinds == {
        "derived": FeedRunKind.DERIVATION,
        "file": FeedRunKind.FILE,
        "sample": FeedRunKind.FILE,
        "cu": FeedRunKind.FEED,
    }


def test_a_feed_named_derived_is_not_read_as_a_derivation(database_url: str) -> None:
    engine = make_engine(database_url)
    factory = session_factory(engine)
    with factory() as session, session.begin():
        session.add(
            FeedRun(
                feed="derived",
                kind=FeedRunKind.FEED,
                source="https://feeds.test/derived.csv",
                started_at=datetime(2026, 11, 30, 9, 0, tzinfo=UTC),
                status="failed",
                error="503 from the source",
            )
        )
    with factory() as session:
        assert failed_derivations(session) == {}
    engine.dispose()
