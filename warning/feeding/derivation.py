"""Derived series: computed by the service from a finer series of the same material.

A catalog series with ``derived_from`` (e.g. ``copper_shfe_futures_weekly``, the weekly mean of
``copper_shfe_futures``) is never fetched. After an ingest stored new or revised values of a
source series, the series derived from it are recomputed (``warning.jobs.derivation`` runs
this module's functions, one transaction per source). Values are aggregated with
:func:`feeds.aggregate.aggregate` (the indicator kind's rule: mean for prices, last for
inventory; the catalog refuses derived flows, whose partial sums would understate) and stored
as one batch per source through :func:`warning.feeding.ingest.store_batch` (a feed run of kind
``derivation``, feed ``derived``, source = the source series id), so revisions and feed runs
work as for any series.

- **What is recomputed** (:func:`derivation_span`). The target periods from the one containing
  the earliest source period to the one containing the latest, over the union of what the
  ingest stored and every source value changed since the start of the last successful
  derivation run from that source (all of the source's history if there was none, or if a run
  failed after it). So a derivation that failed is made good by the next one from the same
  source, and a derivation from the whole history (``warning derive``) redoes everything. A
  run's start is taken before it reads the source: a value stored after that start counts as
  changed for the next run; one whose batch began before it but committed while it read is
  covered by that batch's own derivation, and should that fail, by the whole history the next
  run then takes.
- The source values aggregated are those evaluation sees: suspect values are left out.
- A target period is derived only where :func:`feeds.aggregate.derivable` says so, from the
  source's first period (:func:`warning.feeding.derived_history.source_first_periods`). Files
  may give the earlier history; rows of derived series are accepted for those periods only
  (:mod:`warning.feeding.derived_history`).
- The current period is stored as it accrues (for a mean, the mean of the days so far) and
  revised as data arrive.
- A failure is logged, recorded as a failed derivation run and returned; the source values
  stored before were committed in their own transaction and are kept. Until a later run from
  the same source succeeds, the derived series counts as stale (:mod:`warning.feeding.staleness`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

import pandas as pd
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from feeds.aggregate import aggregate, derivable
from feeds.longformat import LONG_COLUMNS, ParsedBatch, SeriesSpec
from feeds.longformat.plausibility import implausible
from feeds.periods import normalise_period
from feeds.staleness import period_end
from warning.catalog.models import Observation, Series
from warning.catalog.observations import observation_frame
from warning.errors import Invalid
from warning.feeding.derived_history import source_first_periods
from warning.feeding.ingest import IngestReport, PeriodSpan
from warning.feeding.models import FeedRun, FeedRunKind, FeedRunStatus

FEED: Final = "derived"  # the feed name of derivation runs (their kind is ``derivation``)


class NotDerivedError(Invalid):
    """A series named for derivation is not a derived series (no catalog ``derived_from``)."""

    def __init__(self, series_id: str) -> None:
        self.series_id = series_id
        super().__init__(
            f"series {series_id} is not a derived series (no derived_from in the catalog); "
            "`warning feeds status` shows each derived series with its source"
        )


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


def derived_targets(
    session: Session, *, source_ids: Iterable[str] | None = None
) -> dict[str, list[SeriesSpec]]:
    """The series derived from each of ``source_ids`` (every source when None), as specs."""
    query = select(
        Series.derived_from,
        Series.id,
        Series.material_id,
        Series.indicator,
        Series.frequency,
        Series.unit,
    ).where(Series.derived_from.is_not(None))
    if source_ids is not None:
        query = query.where(Series.derived_from.in_(list(source_ids)))
    targets: dict[str, list[SeriesSpec]] = {}
    for source_id, series_id, material, indicator, frequency, unit in session.execute(
        query.order_by(Series.derived_from, Series.id)
    ):
        spec = SeriesSpec(series_id, material, indicator, frequency, unit)
        targets.setdefault(str(source_id), []).append(spec)
    return targets


def targets_of(session: Session, *, series_id: str) -> dict[str, list[SeriesSpec]]:
    """The source of derived series ``series_id`` with every series derived from it.

    A derivation covers a source, so a derived series brings along its siblings.
    :class:`NotDerivedError` when ``series_id`` is not a derived series.
    """
    targets = {
        source: specs
        for source, specs in derived_targets(session).items()
        if any(spec.series_id == series_id for spec in specs)
    }
    if not targets:
        raise NotDerivedError(series_id)
    return targets


def derivation_span(
    session: Session, *, source_id: str, ingested: PeriodSpan | None
) -> PeriodSpan | None:
    """The source periods to derive from (None: the source holds nothing).

    With ``ingested`` (what an ingest stored): that span and the periods of every source value
    changed since the start of the last successful derivation run from this source; all of
    them if there was none, or if a run failed after it. Without: the whole history.
    """
    query = select(func.min(Observation.period), func.max(Observation.period)).where(
        Observation.series_id == source_id
    )
    if ingested is not None:
        # compared in the database: the times are stored alike (naive UTC text on SQLite)
        runs = (FeedRun.kind == FeedRunKind.DERIVATION, FeedRun.source == source_id)
        last_ok = (
            select(func.max(FeedRun.started_at))
            .where(*runs, FeedRun.status == FeedRunStatus.OK)
            .scalar_subquery()
        )
        failed_since = (
            select(FeedRun.id)
            .where(*runs, FeedRun.status == FeedRunStatus.FAILED, FeedRun.started_at > last_ok)
            .exists()
        )
        query = query.where(or_(last_ok.is_(None), failed_since, Observation.changed_at >= last_ok))
    first, last = session.execute(query).one()
    spans = [PeriodSpan(source_id, first, last)] if first is not None else []
    return merge_spans([*spans, *([ingested] if ingested else [])]).get(source_id)


def derived_batch(
    session: Session, *, source_id: str, span: PeriodSpan | None, targets: list[SeriesSpec]
) -> ParsedBatch:
    """The derived values of ``targets`` for the target periods that ``span`` touches."""
    first = source_first_periods(session, source_ids=[source_id]).get(source_id)
    derived = _no_observations()  # nothing to derive: an empty batch
    if span is not None and first is not None:
        windows = {target.series_id: _window(span, target.frequency) for target in targets}
        source = observation_frame(
            session,
            since=min(start for start, _ in windows.values()),
            until=max(end for _, end in windows.values()),
            series_id=source_id,
        )
        if not source.empty:
            parts = [_derived_rows(source, t, windows[t.series_id], first) for t in targets]
            derived = pd.concat(parts, ignore_index=True)
    observations, rejects = _refuse_implausible(derived, source_id)
    observations["line"] = 0  # not from a file: no line to name
    observations["suspect"] = False  # the inputs left out suspect values already
    return ParsedBatch(source_id, observations, rejects, new_series=())


def _no_observations() -> pd.DataFrame:
    frame = pd.DataFrame({column: pd.Series(dtype=object) for column in (*LONG_COLUMNS, "rule")})
    frame["n_obs"] = pd.Series(dtype="int64")
    return frame.astype({"period": "datetime64[ns]", "value": float})


def _refuse_implausible(derived: pd.DataFrame, source_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The derived rows to store, and the refused ones with their reasons.

    Source values stored before such values were refused (1.5e308) can make an aggregate
    that is no number (five of them overflow a mean) or that no series of the kind can have;
    that period is refused, as a file's row would be, and the others are stored.
    """
    reasons = implausible(derived["value"], derived["indicator"])
    bad = (reasons != "").to_numpy()
    refused = derived[bad]
    periods = refused["period"].dt.strftime("%Y-%m-%d")
    rejects = pd.DataFrame(
        {
            "line": pd.array([pd.NA] * len(refused), dtype="Int64"),
            "raw": refused["series_id"] + "," + periods + "," + refused["value"].astype(str),
            "reason": "derived "
            + refused["series_id"]
            + " for "
            + periods
            + ": "
            + reasons[bad]
            + " (the "
            + refused["rule"].astype(str)
            + " of "
            + refused["n_obs"].astype(str)
            + f" values of {source_id}; see `warning series {source_id}`)",
        }
    )
    return derived.loc[~bad, list(LONG_COLUMNS)].reset_index(drop=True), rejects


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
    keep = (periods >= start) & (periods <= end) & derivable(periods, pd.Timestamp(first))
    rows = aggregated.loc[keep, [*LONG_COLUMNS, "rule", "n_obs"]].copy()
    rows["series_id"], rows["material"] = target.series_id, target.material
    rows["indicator"], rows["unit"] = target.indicator, target.unit
    return rows
