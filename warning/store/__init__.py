"""The store: engine, sessions and transactions, bulk load, migrations, cross-process locks.

The lowest layer of ``warning``: it knows no domain. Tables live with their domains
(``warning.catalog.models``, ``warning.feeding.models``, ``warning.evaluation.models``) on
the shared :class:`~warning.store.base.Base`.
"""

from warning.store.base import Base, aware
from warning.store.engine import make_engine
from warning.store.errors import StoreError
from warning.store.migrate import check_store, migrate
from warning.store.session import read_only, session_factory, transaction

__all__ = [
    "Base",
    "StoreError",
    "aware",
    "check_store",
    "make_engine",
    "migrate",
    "read_only",
    "session_factory",
    "transaction",
]
