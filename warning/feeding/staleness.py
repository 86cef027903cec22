"""Which stored series are stale, and why: what evaluation treats as missing data.

Staleness follows :mod:`feeds.staleness` (trading-day aware for daily series; NBS's combined
January-February output is not stale for lacking January). A derived series (catalog
``derived_from``, :mod:`warning.feeding.derivation`) follows its source: fresh while the
source is fresh and the derived values keep up with it; stale when the last derivation from
its source failed (a failed run newer than the last successful one: its values may be out of
date anywhere), when the source is stale, or when derivation is behind. History that the
source cannot give (periods past what it holds, e.g. a replay of a date before the source's
first period) is judged by its own cadence.

:func:`stale_series` lists the stale series with why (``warning demo``, ``feeds status``);
:func:`stale_series_ids` is the set evaluation passes to the rules as missing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import NamedTuple

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from feeds.aggregate import derivable
from feeds.definitions import FeedDefinitions
from feeds.periods import normalise_period
from feeds.staleness import Staleness, is_stale
from warning.catalog.models import Observation, Series
from warning.feeding.models import FeedRun, FeedRunKind, FeedRunStatus
from warning.store import aware


@dataclass(frozen=True)
class StoredSeries:
    """A stored series with its newest period, observation count and suspect count."""

    series_id: str
    material: str
    frequency: str
    indicator: str
    source: str
    last_period: date | None
    observations: int
    suspect: int
    first_period: date | None = None  # suspect values count (feeding.derived_history)
    derived_from: str | None = None
    last_clean_period: date | None = None  # newest value that is not suspect


@dataclass(frozen=True)
class FailedDerivation:
    """The newest derivation run from a source, when it failed after the last that succeeded."""

    source_id: str
    started_at: datetime
    error: str

    def reason(self) -> str:
        started = self.started_at.astimezone(UTC)
        return (
            f"derivation from {self.source_id} failed at {started:%Y-%m-%d %H:%M} UTC: "
            f"{self.error}; it is retried on the next ingest of {self.source_id} that stores "
            "values (or run `warning derive`)"
        )


def combined_jan_feb_ids(
    stored: Iterable[StoredSeries], definitions: FeedDefinitions | None
) -> frozenset[str]:
    """Series whose January and February are published together (NBS monthly output).

    Those flagged ``jan_feb_combined`` in the feed definitions, and the monthly output series
    whose catalog source is the NBS (the catalog's documented convention).
    """
    flagged = {
        s.id
        for feed in (definitions.feeds if definitions else ())
        for s in feed.series
        if s.jan_feb_combined
    }
    nbs = {
        item.series_id
        for item in stored
        if item.frequency == "M" and item.indicator == "output" and item.source.startswith("NBS")
    }
    return frozenset(flagged | nbs)


def stored_series(session: Session, *, as_of: date) -> list[StoredSeries]:
    """Every stored series with what it holds on or before ``as_of``."""
    counts = (
        select(
            Observation.series_id,
            func.min(Observation.period).label("first_period"),
            func.max(Observation.period).label("last_period"),
            func.count().label("n"),
            func.sum(case((Observation.suspect.is_(True), 1), else_=0)).label("suspect"),
            func.max(case((Observation.suspect.is_(False), Observation.period))).label("clean"),
        )
        .where(Observation.period <= as_of)
        .group_by(Observation.series_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Series.id,
            Series.material_id,
            Series.frequency,
            Series.indicator,
            Series.source,
            counts.c.last_period,
            counts.c.n,
            counts.c.suspect,
            counts.c.first_period,
            Series.derived_from,
            counts.c.clean,
        )
        .outerjoin(counts, counts.c.series_id == Series.id)
        .order_by(Series.material_id, Series.id)
    )
    return [
        StoredSeries(
            sid,
            material,
            freq,
            ind,
            source or "",
            last,
            int(n or 0),
            int(sus or 0),
            first,
            parent,
            clean,
        )
        for sid, material, freq, ind, source, last, n, sus, first, parent, clean in rows
    ]


def staleness_by_series(
    stored: Iterable[StoredSeries],
    *,
    as_of: date,
    combined_jan_feb: Collection[str] = (),
    failed: Mapping[str, FailedDerivation] | None = None,
) -> dict[str, Staleness]:
    """Each stored series' staleness on ``as_of``; derived series as the module docstring says.

    ``failed``: :func:`failed_derivations`, by source series.
    """
    failed = failed or {}
    items = {item.series_id: item for item in stored}
    own = {
        item.series_id: is_stale(
            item.last_period,
            item.frequency,
            as_of,
            combined_jan_feb=item.series_id in combined_jan_feb,
        )
        for item in items.values()
    }
    return {
        series_id: _derived_staleness(
            item, items.get(item.derived_from), own, failed.get(item.derived_from)
        )
        if item.derived_from
        else own[series_id]
        for series_id, item in items.items()
    }


def _derived_staleness(
    item: StoredSeries,
    source: StoredSeries | None,
    own: dict[str, Staleness],
    failure: FailedDerivation | None,
) -> Staleness:
    name = item.derived_from
    expected = _newest_derivable(source, item.frequency)
    if expected is None or (item.last_period is not None and item.last_period > expected):
        return own[item.series_id]  # history its source cannot give: its own cadence judges
    if failure is not None:
        return Staleness(True, None, failure.reason())
    verdict = own[str(name)]
    if verdict.stale:
        return Staleness(True, verdict.due_by, f"its source {name} is stale: {verdict.reason}")
    if item.last_period is None or item.last_period < expected:
        return Staleness(
            True, None, f"behind its source {name}: period {expected.isoformat()} not derived"
        )
    return Staleness(False, None, f"derived from {name}, which is fresh")


def _newest_derivable(source: StoredSeries | None, frequency: str) -> date | None:
    """The newest period the source's data can give (:func:`feeds.aggregate.derivable`):
    that of its newest value that is not suspect, since derivation leaves suspect values out."""
    if source is None or source.last_clean_period is None or source.first_period is None:
        return None
    newest = normalise_period(source.last_clean_period, frequency)
    return newest if derivable(newest, source.first_period) else None


class StaleSeries(NamedTuple):
    """A stored series that is stale on some date, and why."""

    series: StoredSeries
    staleness: Staleness


def stale_series(
    session: Session, *, as_of: date, definitions: FeedDefinitions | None = None
) -> list[StaleSeries]:
    """The stored series that are stale on ``as_of``, each with why (:mod:`feeds.staleness`)."""
    stored = stored_series(session, as_of=as_of)
    combined = combined_jan_feb_ids(stored, definitions)
    verdicts = staleness_by_series(
        stored, as_of=as_of, combined_jan_feb=combined, failed=failed_derivations(session)
    )
    return [
        StaleSeries(item, verdicts[item.series_id])
        for item in stored
        if verdicts[item.series_id].stale
    ]


def stale_series_ids(
    session: Session, *, as_of: date, definitions: FeedDefinitions | None = None
) -> frozenset[str]:
    """The ids of :func:`stale_series`: what evaluation treats as missing data."""
    return frozenset(
        item.series_id for item, _ in stale_series(session, as_of=as_of, definitions=definitions)
    )


def failed_derivations(session: Session) -> dict[str, FailedDerivation]:
    """Per source series, its newest failed derivation run that started after the start of
    its last successful one (a later success redid what the failure left, see
    :mod:`warning.derived`)."""
    last_ok = (
        select(FeedRun.source, func.max(FeedRun.started_at).label("started_at"))
        .where(FeedRun.kind == FeedRunKind.DERIVATION, FeedRun.status == FeedRunStatus.OK)
        .group_by(FeedRun.source)
        .subquery()
    )
    rows = session.execute(
        select(FeedRun.source, FeedRun.started_at, FeedRun.error)
        .outerjoin(last_ok, last_ok.c.source == FeedRun.source)
        .where(FeedRun.kind == FeedRunKind.DERIVATION, FeedRun.status == FeedRunStatus.FAILED)
        .where(or_(last_ok.c.started_at.is_(None), FeedRun.started_at > last_ok.c.started_at))
        .order_by(FeedRun.started_at, FeedRun.id)
    )
    return {  # the newest failure per source wins
        source: FailedDerivation(source, aware(started) or started, error or "unknown error")
        for source, started, error in rows
    }
