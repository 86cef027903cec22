"""Every migration path to head: from an empty database, and from each earlier revision with
data in the tables of that revision; the data survives and the schema ends as the models'."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

import warning.context  # noqa: F401  (every domain's tables join the metadata)
from tests.conftest import _reset_postgres, postgres_url
from warning.review.models import Silence
from warning.review.silences import Change, silence_for
from warning.store import Base, migrate
from warning.store.migrate import alembic_config

STARTED = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def _url(kind: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('paths') / 'store.db'}"
    url = postgres_url()
    _reset_postgres(url)
    return url


def _fill(url: str) -> None:
    """Rows in the tables every revision has (the catalog, a feed run, a stored value)."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO material (id, name_zh, name_en, sector, position) "
                "VALUES ('copper', '铜', 'Copper', 'nonferrous', 0)"
            )
        )
        columns = {
            row[1] if url.startswith("sqlite") else row[0]
            for row in connection.execute(
                text("PRAGMA table_info(series)")
                if url.startswith("sqlite")
                else text(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = 'series'"
                )
            )
        }
        extra = ", in_catalog" if "in_catalog" in columns else ""
        connection.execute(
            text(
                "INSERT INTO series (id, material_id, indicator, frequency, unit, source, "
                f"created_at{extra}) VALUES ('copper_x', 'copper', 'price', 'D', 'CNY/t', '', "
                f":at{', true' if extra else ''})"
            ),
            {"at": STARTED},
        )
        connection.execute(
            text(
                "INSERT INTO feed_run (feed, source, started_at, status, rows_fetched, "
                "accepted, revised, unchanged, rejected, suspect) "
                "VALUES ('cu', 'https://x.test', :at, 'ok', 1, 1, 0, 0, 0, 0)"
            ),
            {"at": STARTED},
        )
        connection.execute(
            text(
                "INSERT INTO observation (series_id, period, value, first_value, "
                "first_seen_at, changed_at, revisions, suspect, feed_run_id) VALUES "
                "('copper_x', '2026-11-30', 1.5, 1.5, :at, :at, 0, false, "
                "(SELECT max(id) FROM feed_run))"
            ),
            {"at": STARTED},
        )
    engine.dispose()


def _at_head_with(url: str, *, rows: bool) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
            counted = [
                connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                for table in ("material", "series", "feed_run", "observation")
            ]
            value = connection.execute(text("SELECT value FROM observation")).scalar()
    finally:
        engine.dispose()
    assert counted == ([1, 1, 1, 1] if rows else [0, 0, 0, 0])
    if rows:
        assert value == 1.5


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_every_earlier_revision_with_data_upgrades_to_head(
    kind: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    revisions = _revisions()
    assert len(revisions) >= 2
    url = _url(kind, tmp_path_factory)
    migrate(url)  # from an empty database
    _at_head_with(url, rows=False)
    for revision in revisions[:-1]:
        url = _url(kind, tmp_path_factory)
        command.upgrade(alembic_config(url), revision)
        _fill(url)
        migrate(url)
        _at_head_with(url, rows=True)


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_silence_from_before_the_matchers_keeps_its_meaning(
    kind: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """0013 adds the matchers: a copper silence and an every-material one made under 0012
    come out with no other matcher, and still mute what they muted."""
    url = _url(kind, tmp_path_factory)
    command.upgrade(alembic_config(url), "0012")
    _fill(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        for material in ("'copper'", "NULL"):
            connection.execute(
                text(
                    "INSERT INTO silence (material_id, starts_at, ends_at, comment, created_by, "
                    f"created_at) VALUES ({material}, :start, :end, 'holiday', 'ana', :start)"
                ),
                {"start": STARTED, "end": STARTED + timedelta(days=2)},
            )
    engine.dispose()
    migrate(url)
    _at_head_with(url, rows=True)
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            rows = session.scalars(select(Silence).order_by(Silence.id)).all()
            assert [
                (s.material_id, s.sector, s.level, s.direction, s.enterprise_id) for s in rows
            ] == [("copper", None, None, None, None), (None, None, None, None, None)]
            copper = Change("copper", "nonferrous", "red", "up")
            zinc = Change("zinc", "nonferrous", "red", "up")
            during = STARTED + timedelta(hours=1)
            assert silence_for(session, change=copper, at=during) is not None
            assert silence_for(session, change=zinc, at=during) is rows[1]  # every material
            assert silence_for(session, change=zinc, at=STARTED + timedelta(days=2)) is None
    finally:
        engine.dispose()
