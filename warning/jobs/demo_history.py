"""The demo's staged history: eight weekly evaluations before the demo date, as if the service
had been running, with an analyst's decisions.

The demo analyst approves the items of the materials whose warnings have ended by the demo
date (a staging choice: it knows the final evaluation), so the demo shows approved warnings
that were announced and then resolved, and still leaves every material at yellow or red on
the demo date waiting in the review queue.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Final

from sqlalchemy import select

import rules
from vocabulary import Level
from warning import clock
from warning.context import ServiceContext
from warning.delivery.policy import DeliveryPolicy
from warning.delivery.routing import record_as_history
from warning.evaluation.runs import evaluate
from warning.jobs.pipeline import evaluate_and_store
from warning.review import decisions
from warning.review.models import ReviewItem
from warning.review.states import ItemState
from warning.store import read_only, transaction

log = logging.getLogger(__name__)

HISTORY_WEEKS: Final = 8
ANALYST: Final = "demo"


def history(as_of: date) -> list[date]:
    """The weekly dates before ``as_of`` the demo evaluates first, oldest first."""
    return [as_of - timedelta(weeks=weeks) for weeks in range(HISTORY_WEEKS, 0, -1)]


def stage_history(context: ServiceContext, *, ruleset: rules.RuleSet, as_of: date) -> None:
    """Evaluate the history weeks, the analyst deciding as the module docstring says."""
    ended = _normal_on(context, ruleset=ruleset, as_of=as_of)
    for earlier in history(as_of):
        evaluate_and_store(context, ruleset=ruleset, as_of=earlier, trigger="demo-history")
        with transaction(context.factory) as session:
            waiting = session.scalars(
                select(ReviewItem).where(
                    ReviewItem.state == ItemState.PENDING, ReviewItem.material_id.in_(ended)
                )
            ).all()
            for item in waiting:
                decisions.approve(
                    session,
                    item_id=item.id,
                    actor=ANALYST,
                    comment=f"approved in the demo's staged history (week of {earlier})",
                    now=clock.now(),
                )
    with transaction(context.factory) as session:
        kept = record_as_history(
            session,
            policy=DeliveryPolicy.from_settings(context.settings),
            reason=f"the demo's staged history before {as_of} (recorded, not sent)",
            now=clock.now(),
        )
    log.info("demo history: %d deliveries recorded as history, not sent", kept)


def _normal_on(context: ServiceContext, *, ruleset: rules.RuleSet, as_of: date) -> list[str]:
    """The materials the demo date's evaluation will call normal (evaluated, not stored)."""
    with read_only(context.factory) as session:
        outcome = evaluate(
            session, catalog=context.catalog, ruleset=ruleset, as_of=as_of, trigger="preview"
        )
        session.rollback()
    return [a.material for a in outcome.assessments if a.level == Level.NORMAL]
