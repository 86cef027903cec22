"""Migration 0003 creates feed_state exactly as the model describes it, on every database."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from warning.db import make_engine
from warning.models import Base


def test_feed_state_table_matches_the_model(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            assert "feed_state" in inspect(connection).get_table_names()
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diffs = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()

    def about_feed_state(diff: object) -> bool:
        return "feed_state" in repr(diff)

    assert [d for d in diffs if about_feed_state(d)] == []
