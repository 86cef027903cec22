"""Alembic environment: runs the bundled migrations against the configured URL."""

from __future__ import annotations

from alembic import context

import warning.accounts.models
import warning.audit.models
import warning.catalog.models
import warning.delivery.models
import warning.directory.models
import warning.evaluation.models
import warning.feeding.models
import warning.reporting.models
import warning.review.models
import warning.review.stored_policy  # noqa: F401  (every domain's tables join the metadata)
from warning.store import Base, make_engine

target_metadata = Base.metadata


def run_migrations() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("alembic config lacks sqlalchemy.url")
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
