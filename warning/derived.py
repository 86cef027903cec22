"""Derived series: computed by the service from a finer series of the same material.

A catalog series with ``derived_from`` (e.g. ``copper_shfe_futures_weekly``, the weekly mean of
``copper_shfe_futures``) is never fetched. After an ingest stored new or revised values of a
source series, :func:`derive_after_ingest` recomputes each series derived from it for the
affected target periods only: from the period containing the earliest stored source period
through the one containing the latest. It aggregates with :func:`feeds.aggregate.aggregate`
(the indicator kind's rule: mean for prices, sum for flows, last for inventory) and stores the
result as one batch per source through :func:`warning.ingest.store_batch` (feed ``derived``,
source = the source series id), so revisions and feed runs work as for any series.

- The source values aggregated are those evaluation sees: suspect values are left out.
- A target period that starts before the source's first period is not derived: the source's
  history begins inside it, so the aggregate would cover part of it only. Files may give such
  history; rows of derived series are accepted for those periods only
  (:mod:`warning.derived_rows`).
- The current period is stored as it accrues (for a mean, the mean of the days so far) and
  revised as data arrive. Sums are stored for complete periods only: a partial sum is an
  understatement, not an estimate of the total.
- A failure is logged, recorded as a failed ``derived`` run and returned; the source values
  stored before were committed in their own transaction and are kept.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Final

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from feeds.aggregate import RULES, aggregate
from feeds.longformat import LONG_COLUMNS, ParsedBatch, SeriesSpec
from feeds.periods import normalise_period
from feeds.staleness import period_end
from warning.ingest import IngestReport, PeriodSpan, record_failed_run, store_batch
from warning.models import Observation, Series
from warning.observations import observation_frame

log = logging.getLogger(__name__)

FEED: Final = "derived"  # the feed name of derivation runs in feed_run


@dataclass(frozen=True)
class DerivationFailure:
    """A source whose derived series could not be computed or stored, and why."""

    source_id: str
    error: str


@dataclass(frozen=True)
class DerivationOutcome:
    """What one derivation did: a report per source series, and the failures."""

    reports: tuple[IngestReport, ...] = ()
    failures: tuple[DerivationFailure, ...] = ()

    @property
    def changed(self) -> int:
        """How many derived values are new or revised."""
        return sum(report.accepted + report.revised for report in self.reports)


def merge_spans(spans: Iterable[PeriodSpan]) -> dict[str, PeriodSpan]:
    """One span per series covering all of its given spans (several batches may name it)."""
    merged: dict[str, PeriodSpan] = {}
    for span in spans:
        known = merged.get(span.series_id)
        if known is not None:
            span = PeriodSpan(
                span.series_id, min(known.first, span.first), max(known.last, span.last)
            )
        merged[span.series_id] = span
    return merged


def derive_after_ingest(
    factory: sessionmaker[Session], stored: Iterable[PeriodSpan]
) -> DerivationOutcome:
    """Recompute the series derived from the series in ``stored`` (an ingest's report spans).

    One source's failure does not stop the others; see the module docstring.
    """
    spans = merge_spans(stored)
    if not spans:
        return DerivationOutcome()
    with factory() as session:
        targets = derived_targets(session, source_ids=spans)
    reports, failures = [], []
    for source_id, specs in targets.items():
        try:
            reports.append(_derive_source(factory, spans[source_id], specs))
        except Exception as error:  # reported and recorded; the next source goes on
            log.exception("deriving from %s failed", source_id)
            failures.append(DerivationFailure(source_id, f"{type(error).__name__}: {error}"))
    return DerivationOutcome(tuple(reports), tuple(failures))


def derived_targets(session: Session, *, source_ids: Iterable[str]) -> dict[str, list[SeriesSpec]]:
    """The series derived from each of ``source_ids`` that has any, as specs."""
    rows = session.execute(
        select(
            Series.derived_from,
            Series.id,
            Series.material_id,
            Series.indicator,
            Series.frequency,
            Series.unit,
        )
        .where(Series.derived_from.in_(list(source_ids)))
        .order_by(Series.id)
    )
    targets: dict[str, list[SeriesSpec]] = {}
    for source_id, series_id, material, indicator, frequency, unit in rows:
        spec = SeriesSpec(series_id, material, indicator, frequency, unit)
        targets.setdefault(str(source_id), []).append(spec)
    return targets


def _derive_source(
    factory: sessionmaker[Session], span: PeriodSpan, targets: list[SeriesSpec]
) -> IngestReport:
    started = datetime.now(UTC)
    try:
        batch = derived_batch(factory, span, targets)
    except Exception as error:
        record_failed_run(
            factory, feed=FEED, source=span.series_id, started=started, error=repr(error)
        )
        raise
    # store_batch records a failed run itself when storing fails
    return store_batch(factory, batch, feed=FEED, started=started, derivation=True)


def derived_batch(
    factory: sessionmaker[Session], span: PeriodSpan, targets: list[SeriesSpec]
) -> ParsedBatch:
    """The derived values of ``targets`` for the target periods that ``span`` touches."""
    windows = {target.series_id: _window(span, target.frequency) for target in targets}
    with factory() as session:
        first = session.scalar(
            select(func.min(Observation.period)).where(Observation.series_id == span.series_id)
        )
        source = observation_frame(
            session,
            since=min(start for start, _ in windows.values()),
            until=max(end for _, end in windows.values()),
            series_id=span.series_id,
        )
    observations = source.iloc[0:0].copy()  # nothing to derive from: an empty batch
    if first is not None and not source.empty:
        parts = [_derived_rows(source, t, windows[t.series_id], first) for t in targets]
        observations = pd.concat(parts, ignore_index=True)
    observations["line"] = 0  # not from a file: no line to name
    observations["suspect"] = False  # the inputs left out suspect values already
    rejects = pd.DataFrame({"line": pd.Series(dtype="int64"), "raw": [], "reason": []})
    return ParsedBatch(span.series_id, observations, rejects, new_series=())


def _window(span: PeriodSpan, frequency: str) -> tuple[date, date]:
    """First and last day of the target periods containing the span's first and last period."""
    last = normalise_period(span.last, frequency)
    return normalise_period(span.first, frequency), period_end(last, frequency)


def _derived_rows(
    source: pd.DataFrame, target: SeriesSpec, window: tuple[date, date], first: date
) -> pd.DataFrame:
    aggregated = aggregate(source, target.frequency)
    periods = aggregated["period"]
    start, end = pd.Timestamp(window[0]), pd.Timestamp(window[1])
    keep = (periods >= start) & (periods <= end) & (periods >= pd.Timestamp(first))
    if RULES[target.indicator] == "sum":
        keep &= aggregated["complete"]
    rows = aggregated.loc[keep, list(LONG_COLUMNS)].copy()
    rows["series_id"], rows["material"] = target.series_id, target.material
    rows["indicator"], rows["unit"] = target.indicator, target.unit
    return rows
