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
from sqlalchemy.exc import DatabaseError

from warning.store.engine import make_engine
from warning.store.errors import StoreError, driver_problem, shown


def alembic_config(url: str) -> Config:
    """An Alembic configuration pointing at the bundled migrations and ``url``."""
    config = Config()
    config.set_main_option("script_location", str(files("warning") / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str) -> None:
    """Bring the database at ``url`` to the newest migration; :class:`StoreError` naming it
    when it cannot be reached or written."""
    make_engine(url).dispose()  # creates the SQLite folder if needed
    try:
        command.upgrade(alembic_config(url), "head")
    except DatabaseError as error:
        raise StoreError(
            f"cannot migrate the database {shown(url)}: {driver_problem(error)}"
        ) from None


def check_store(engine: Engine) -> None:
    """Fail with a :class:`StoreError` that says what to do unless the store is ready."""
    where = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except DatabaseError as error:  # unreachable, unopenable, or a file that is no database
        raise StoreError(f"cannot reach the database {where}: {driver_problem(error)}") from None
    head = ScriptDirectory.from_config(alembic_config(where)).get_current_head()
    if current != head:
        raise StoreError(
            f"the database {where} is at migration {current or 'none'}, not {head}: "
            "run `warning init`"
        )
