"""The running service's context: settings, database, catalog, built once per process.

It also imports every domain's tables, so that the whole schema is known wherever the
service runs (foreign keys between domains are resolved by table name).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import warning.evaluation.models
import warning.feeding.models  # noqa: F401  (every domain's tables join the metadata)
from warning import clock
from warning.catalog import Catalog, load_catalog
from warning.catalog.sync import sync_catalog
from warning.settings import Settings
from warning.store import check_store, make_engine, migrate, session_factory, transaction


@dataclass(frozen=True)
class ServiceContext:
    """Everything a command needs: settings, an engine, a session factory and the catalog."""

    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]
    catalog: Catalog


def open_context(settings: Settings) -> ServiceContext:
    """Connect to the configured database and load the configured catalog."""
    catalog = load_catalog(settings.catalog_path)
    engine = make_engine(settings.database_url, busy_timeout_s=settings.sqlite_busy_timeout_s)
    check_store(engine)
    return ServiceContext(settings, engine, session_factory(engine), catalog)


def initialise(settings: Settings) -> ServiceContext:
    """Run migrations and load the catalog into the store (idempotent)."""
    catalog = load_catalog(settings.catalog_path)  # fail on a bad catalog before migrating
    migrate(settings.database_url)
    context = open_context(settings)
    with transaction(context.factory) as session:
        sync_catalog(session, catalog=catalog, now=clock.now())
    return context
