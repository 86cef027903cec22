"""Store helpers for tests: loading a catalog and evaluating in a transaction of their own."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session, sessionmaker

import rules
from warning import clock
from warning.catalog import Catalog
from warning.catalog.models import Observation
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


def put_values(
    factory: sessionmaker[Session],
    series_id: str,
    values: Mapping[date, float],
    *,
    suspect: bool = False,
) -> None:
    """Store ``values`` of a series directly, as first published, past every check (as data
    stored before a check existed would be)."""
    seen = datetime(2026, 3, 1, tzinfo=UTC)
    with transaction(factory) as session:
        session.add_all(
            Observation(
                series_id=series_id,
                period=period,
                value=value,
                first_value=value,
                first_seen_at=seen,
                changed_at=seen,
                revisions=0,
                suspect=suspect,
            )
            for period, value in values.items()
        )
