"""Enterprise reporting's jobs: the aggregates stored as supply series (then derivation and
evaluation, as after any ingest), and the reminders queued in the outbox.

``warning reports aggregate`` stores, for each aggregated field, the values of the periods
that count (:mod:`warning.reporting.aggregation`) in the series ``reported_<field>`` (e.g.
``reported_cement_output``, indicator output, unit of the form), as one batch of the feed
``enterprise_reports``: a changed value is a revision like any other.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, select

from feeds.longformat import LONG_COLUMNS, ParsedBatch, SeriesSpec
from warning import clock
from warning.catalog.models import Series
from warning.context import ServiceContext
from warning.evaluation.runs import load_ruleset
from warning.feeding.ingest import IngestReport
from warning.feeding.models import FeedRun, FeedRunKind, FeedRunStatus
from warning.jobs.ingest import store_or_record_failure
from warning.jobs.pipeline import IngestFollowUp, derive_and_evaluate
from warning.reporting.aggregation import Aggregate, AggregateStatus, aggregates
from warning.reporting.forms import Forms, configured_forms, period_start
from warning.reporting.models import Report
from warning.store import aware, read_only

FEED = "enterprise_reports"
SOURCE = "enterprise reports (chain-linked like-for-like sums)"


@dataclass(frozen=True)
class AggregationOutcome:
    """What an aggregation did: the aggregates computed, those stored, and the ingest."""

    computed: tuple[Aggregate, ...]
    stored: IngestReport
    follow_up: IngestFollowUp | None

    @property
    def counted(self) -> int:
        return sum(a.status == AggregateStatus.OK for a in self.computed)


def reporting_forms(context: ServiceContext) -> Forms:
    """The configured forms, read once per process."""
    names = tuple((m.id, m.name_zh, m.name_en) for m in context.catalog.materials)
    return configured_forms(context.settings.reporting_path, names)


def aggregate_reports(context: ServiceContext, *, evaluate: bool = True) -> AggregationOutcome:
    """Compute every aggregate, store those that count, then derive and evaluate."""
    started = clock.now()
    ruleset = load_ruleset(context.settings.rules_path, context.catalog) if evaluate else None
    with read_only(context.factory) as session:
        computed = aggregates(
            session,
            forms=reporting_forms(context),
            min_coverage=context.settings.reporting_min_coverage,
        )
        known = set(session.scalars(select(Series.id).where(Series.id.startswith("reported_"))))
    report = store_or_record_failure(
        context.factory,
        batch=aggregate_batch(computed, known_series=known),
        feed=FEED,
        kind=FeedRunKind.FILE,
        source=SOURCE,
        started=started,
    )
    follow_up = None
    if ruleset is not None:
        follow_up = derive_and_evaluate(
            context, ruleset=ruleset, stored=report.stored, trigger=f"feed:{FEED}"
        )
    return AggregationOutcome(tuple(computed), report, follow_up)


def aggregate_if_changed(context: ServiceContext) -> AggregationOutcome | None:
    """:func:`aggregate_reports` when a report changed since the last aggregation that did not
    fail began (the scheduler's job, every few minutes); None when nothing changed. A failed
    aggregation is tried again on the next round."""
    with read_only(context.factory) as session:
        changed = session.scalar(select(func.max(Report.updated_at)))
        last = session.scalar(
            select(func.max(FeedRun.started_at)).where(
                FeedRun.feed == FEED, FeedRun.status != FeedRunStatus.FAILED
            )
        )
    changed_at, last_at = aware(changed), aware(last)
    if changed_at is None or (last_at is not None and changed_at < last_at):
        return None
    return aggregate_reports(context)


def aggregate_batch(computed: list[Aggregate], *, known_series: set[str]) -> ParsedBatch:
    """The aggregates that count as a batch of long-format rows (period: the first day)."""
    counted = [a for a in computed if a.status == AggregateStatus.OK and a.level is not None]
    rows = {
        "series_id": [a.series_id for a in counted],
        "material": [a.material for a in counted],
        "indicator": [a.indicator for a in counted],
        "frequency": ["W" if "-W" in a.period else "M" for a in counted],
        "period": pd.to_datetime([period_start(a.period) for a in counted]),
        "value": [float(a.level or 0.0) for a in counted],
        "unit": [a.unit for a in counted],
    }
    observations = pd.DataFrame({column: rows[column] for column in LONG_COLUMNS})
    observations = observations.astype({"period": "datetime64[ns]", "value": float})
    observations["line"] = 0  # not from a file
    observations["raw"] = ""
    observations["suspect"] = False
    rejects = pd.DataFrame(
        {
            "line": pd.array([], dtype="Int64"),
            "raw": pd.Series(dtype=object),
            "reason": pd.Series(dtype=object),
        }
    )
    new = {
        a.series_id: SeriesSpec(
            a.series_id, a.material, a.indicator, "W" if "-W" in a.period else "M", a.unit
        )
        for a in counted
        if a.series_id not in known_series
    }
    return ParsedBatch(SOURCE, observations, rejects, new_series=tuple(new.values()))
