"""After an operator cleared a suspect flag: derive again and re-evaluate.

The flag itself is cleared by :func:`warning.feeding.suspects.clear_suspect` in the caller's
transaction (the web request, with its audit entry); once that committed, this job derives
the periods of the series derived from the value's series that contain it (the week of a
daily price) and evaluates, as after any ingest (:func:`warning.jobs.pipeline.derive_and_evaluate`).
"""

from __future__ import annotations

import logging

import rules
from warning.context import ServiceContext
from warning.feeding.ingest import PeriodSpan
from warning.jobs.pipeline import IngestFollowUp, derive_and_evaluate

log = logging.getLogger(__name__)


def derive_after_clearing(
    context: ServiceContext, *, ruleset: rules.RuleSet, cleared: PeriodSpan
) -> IngestFollowUp:
    """Derive the periods that contain the cleared value, then evaluate; logged."""
    follow_up = derive_and_evaluate(
        context, ruleset=ruleset, stored=[cleared], trigger="suspect-cleared"
    )
    for report in follow_up.derivation.reports:
        log.info(
            "suspect flag of %s %s cleared: derived %d new, %d revised",
            cleared.series_id,
            cleared.first,
            report.accepted,
            report.revised,
        )
    for failure in follow_up.derivation.failures:
        log.error("deriving from %s failed: %s", failure.source_id, failure.error)
    return follow_up
