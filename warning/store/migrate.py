"""Migrations (Alembic, scripts in ``warning/migrations``) and the check that a store is ready.

The migration scripts sit above the domains (they know every table); this module only runs
them and reads the store's revision.
"""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from warning.store.engine import make_engine


class StoreError(Exception):
    """The database cannot be used: unreachable, or not initialised by ``warning init``."""


def alembic_config(url: str) -> Config:
    """An Alembic configuration pointing at the bundled migrations and ``url``."""
    config = Config()
    config.set_main_option("script_location", str(files("warning") / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str) -> None:
    """Bring the database at ``url`` to the newest migration."""
    make_engine(url).dispose()  # creates the SQLite folder if needed
    command.upgrade(alembic_config(url), "head")


def check_store(engine: Engine) -> None:
    """Fail with a :class:`StoreError` that says what to do unless the store is ready."""
    where = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except OperationalError as error:
        raise StoreError(f"cannot reach the database {where}: {error.orig}") from None
    head = ScriptDirectory.from_config(alembic_config(where)).get_current_head()
    if current != head:
        raise StoreError(
            f"the database {where} is at migration {current or 'none'}, not {head}: "
            "run `warning init`"
        )
