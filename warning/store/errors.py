"""Why a store cannot be used, in one line naming the database."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from warning.errors import Unavailable


class StoreError(Unavailable):
    """The database cannot be used: unreachable, not writable, locked, or not initialised by
    ``warning init``. The message names the database (its URL without a password)."""


def shown(url: str) -> str:
    """A database URL as messages name it: without its password."""
    return make_url(url).render_as_string(hide_password=True)


def driver_problem(error: DBAPIError) -> str:
    """The first line of what the database driver said (psycopg adds hints on more lines)."""
    text = str(error.orig).strip() or type(error.orig).__name__
    return text.splitlines()[0]
