"""Store helpers for tests: loading a catalog and evaluating in a transaction of their own."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session, sessionmaker

import rules
from warning import clock
from warning.catalog import Catalog
from warning.catalog.sync import sync_catalog
from warning.evaluation.runs import EvaluationOutcome, evaluate
from warning.store import transaction


def load_catalog_into(factory: sessionmaker[Session], catalog: Catalog) -> None:
    """Insert or update the catalog's materials and series, and commit."""
    with transaction(factory) as session:
        sync_catalog(session, catalog=catalog, now=clock.now())


def evaluate_store(
    factory: sessionmaker[Session],
    catalog: Catalog,
    ruleset: rules.RuleSet,
    *,
    as_of: date,
    trigger: str,
) -> EvaluationOutcome:
    """Evaluate every material as of ``as_of`` and commit the run."""
    with transaction(factory) as session:
        return evaluate(session, catalog=catalog, ruleset=ruleset, as_of=as_of, trigger=trigger)
