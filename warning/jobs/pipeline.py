"""The pipeline after data comes in: derive the computed series, evaluate, propose reviews.

Every ingest (``warning ingest``, ``warning ingest-file``, a scheduled feed, the demo) ends in
:func:`derive_and_evaluate`. Derivation comes first so that evaluation sees the derived
values; a failed derivation is in the outcome (and logged) and evaluation still runs: a
derived series whose derivation failed counts as stale, so it reaches the rules as missing
data rather than as an outdated value. An evaluation's changes become review items in the
same transaction (:mod:`warning.review.proposals`). The whole follow-up holds a lock on the store
(:mod:`warning.store.locks`), so two processes (the scheduler and a CLI command, or two
workers) finishing ingests together derive and evaluate one after the other.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

import rules
from warning import clock
from warning.accounts.sessions import Pruned, prune
from warning.clock import evaluation_date
from warning.context import ServiceContext
from warning.evaluation.runs import EvaluationOutcome, evaluate, level_counts
from warning.feeding.derivation import DerivationOutcome
from warning.feeding.feed_runs import FeedOutcome
from warning.feeding.ingest import PeriodSpan
from warning.jobs.derivation import derive_after_ingest, derive_from_history
from warning.jobs.escalations import notify_escalations
from warning.review.proposals import propose
from warning.review.stored_policy import current_policy
from warning.review.sweep import SweepOutcome, sweep
from warning.store import locks, transaction

log = logging.getLogger(__name__)

PIPELINE_LOCK: Final = "derive-and-evaluate"


@dataclass(frozen=True)
class IngestFollowUp:
    """What followed an ingest: the derived series computed, and the evaluation if any."""

    derivation: DerivationOutcome
    evaluation: EvaluationOutcome | None


def evaluate_and_store(
    context: ServiceContext, *, ruleset: rules.RuleSet, as_of: date, trigger: str
) -> EvaluationOutcome:
    """Evaluate every material as of ``as_of``, turn what changed into review items (when
    the evaluation is current, not a replay) and commit both together."""
    with transaction(context.factory) as session:
        outcome = evaluate(
            session, catalog=context.catalog, ruleset=ruleset, as_of=as_of, trigger=trigger
        )
        proposed = propose(
            session,
            run_id=outcome.run_id,
            policy=current_policy(session, context.settings),
            now=clock.now(),
        )
    if proposed.created or proposed.updated or proposed.superseded:
        log.info(
            "review queue: %d new, %d updated, %d superseded, %d approved by policy",
            len(proposed.created),
            len(proposed.updated),
            len(proposed.superseded),
            len(proposed.approved_by_policy),
        )
    return outcome


def sweep_review_queue(context: ServiceContext) -> SweepOutcome:
    """Wake snoozed items whose time came and act on items past their deadline; commit; then
    tell the operators about the items escalated (``WARNING_OPERATOR_EMAILS``)."""
    with transaction(context.factory) as session:
        outcome = sweep(session, policy=current_policy(session, context.settings), now=clock.now())
    notify_escalations(context, outcome.escalated)
    return outcome


def prune_accounts(context: ServiceContext) -> Pruned:
    """Forget old login attempts and finished web sessions (:func:`accounts.sessions.prune`)."""
    with transaction(context.factory) as session:
        pruned = prune(session, now=clock.now())
    if pruned.attempts or pruned.sessions:
        log.info("pruned %d login attempts and %d web sessions", pruned.attempts, pruned.sessions)
    return pruned


def evaluate_after_ingest(
    context: ServiceContext, *, ruleset: rules.RuleSet, changed: bool, trigger: str
) -> EvaluationOutcome | None:
    """Re-evaluate every material if an ingest (or a derivation) ``changed`` stored values.

    An ingest that changed nothing leaves the last assessments standing. Evaluates as of
    ``WARNING_AS_OF`` or the desk's today. Callers load ``ruleset`` before ingesting, so a
    bad rule set fails before data is stored.
    """
    if not changed:
        return None
    return evaluate_and_store(
        context, ruleset=ruleset, as_of=evaluation_date(context.settings), trigger=trigger
    )


def derive_and_evaluate(
    context: ServiceContext,
    *,
    ruleset: rules.RuleSet,
    stored: Sequence[PeriodSpan],
    trigger: str,
) -> IngestFollowUp:
    """Derive the series computed from what an ingest ``stored``, then re-evaluate."""
    with locks.held(context.engine, PIPELINE_LOCK):
        derivation = derive_after_ingest(context.factory, stored)
        changed = bool(stored) or derivation.changed > 0
        evaluation = evaluate_after_ingest(
            context, ruleset=ruleset, changed=changed, trigger=trigger
        )
    return IngestFollowUp(derivation, evaluation)


def rederive_and_evaluate(
    context: ServiceContext, *, ruleset: rules.RuleSet, series_id: str | None
) -> IngestFollowUp:
    """Derive every derived series (or ``series_id`` and its siblings) from its source's
    whole history, then re-evaluate if anything changed (``warning derive``)."""
    with locks.held(context.engine, PIPELINE_LOCK):
        derivation = derive_from_history(context.factory, series_id=series_id)
        evaluation = evaluate_after_ingest(
            context, ruleset=ruleset, changed=derivation.changed > 0, trigger="derive"
        )
    return IngestFollowUp(derivation, evaluation)


def after_feed_run(context: ServiceContext, ruleset: rules.RuleSet, outcome: FeedOutcome) -> None:
    """What follows a scheduled feed run: :func:`derive_and_evaluate`, logged."""
    follow_up = derive_and_evaluate(
        context, ruleset=ruleset, stored=outcome.stored, trigger=f"feed:{outcome.feed_id}"
    )
    for report in follow_up.derivation.reports:
        log.info(
            "derived from %s: %d new, %d revised", report.source, report.accepted, report.revised
        )
    for failure in follow_up.derivation.failures:
        log.error(
            "feed %s: deriving from %s failed: %s",
            outcome.feed_id,
            failure.source_id,
            failure.error,
        )
    if follow_up.evaluation is not None:
        log.info(
            "evaluated as of %s: %s", follow_up.evaluation.as_of, level_counts(follow_up.evaluation)
        )
