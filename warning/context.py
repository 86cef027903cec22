"""The running service's context: settings, database, catalog, built once per process.

It also imports every domain's tables, so that the whole schema is known wherever the
service runs (foreign keys between domains are resolved by table name).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import warning.accounts.models
import warning.audit.models
import warning.delivery.models
import warning.directory.models
import warning.evaluation.models
import warning.feeding.models
import warning.reporting.models
import warning.review.models
import warning.review.stored_policy
import warning.store.job_runs  # noqa: F401  (every domain's tables join the metadata)
from warning import clock
from warning.catalog import Catalog, load_catalog
from warning.catalog.sync import sync_catalog
from warning.settings import Settings
from warning.store import check_store, make_engine, migrate, session_factory, transaction


def secret_key(settings: Settings) -> str:
    """``WARNING_SECRET_KEY``, else a random key made once and kept in ``var/secret_key``."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.var_dir / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


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
