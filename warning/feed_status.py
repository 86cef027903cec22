"""What operators see of feeds: each series' freshness, failures, rejects and values.

Staleness follows :mod:`feeds.staleness` (trading-day aware for daily series; NBS's combined
January-February output is not stale for lacking January). :func:`stale_series_ids` is what
evaluation treats as missing data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from feeds.definitions import FeedDefinitions
from feeds.staleness import Staleness, is_stale
from warning.feeding import aware, feed_states
from warning.models import FeedRun, Observation, RejectedRow, Series
from warning.observations import observation_frame


@dataclass(frozen=True)
class SeriesStatus:
    """One series as operators see it: data, its feed's last run, staleness and failures."""

    series_id: str
    material: str
    frequency: str
    feed_id: str | None
    last_period: date | None
    observations: int
    suspect: int
    last_run_at: datetime | None
    last_status: str | None
    failing: bool
    staleness: Staleness


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
            func.max(Observation.period).label("last_period"),
            func.count().label("n"),
            func.sum(case((Observation.suspect.is_(True), 1), else_=0)).label("suspect"),
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
        )
        .outerjoin(counts, counts.c.series_id == Series.id)
        .order_by(Series.material_id, Series.id)
    )
    return [
        StoredSeries(sid, material, freq, ind, source or "", last, int(n or 0), int(sus or 0))
        for sid, material, freq, ind, source, last, n, sus in rows
    ]


def stale_series(
    session: Session, *, as_of: date, definitions: FeedDefinitions | None = None
) -> list[tuple[StoredSeries, Staleness]]:
    """The stored series that are stale on ``as_of``, each with why (:mod:`feeds.staleness`)."""
    stored = stored_series(session, as_of=as_of)
    combined = combined_jan_feb_ids(stored, definitions)
    judged = (
        (
            item,
            is_stale(
                item.last_period,
                item.frequency,
                as_of,
                combined_jan_feb=item.series_id in combined,
            ),
        )
        for item in stored
    )
    return [(item, staleness) for item, staleness in judged if staleness.stale]


def stale_series_ids(
    session: Session, *, as_of: date, definitions: FeedDefinitions | None = None
) -> frozenset[str]:
    """The ids of :func:`stale_series`: what evaluation treats as missing data."""
    return frozenset(
        item.series_id for item, _ in stale_series(session, as_of=as_of, definitions=definitions)
    )


def series_status(
    session: Session, *, definitions: FeedDefinitions, as_of: date
) -> list[SeriesStatus]:
    """Every stored series (catalog or not) with its data, feed run state and staleness."""
    stored = stored_series(session, as_of=as_of)
    combined = combined_jan_feb_ids(stored, definitions)
    states = feed_states(session)
    lines = []
    for item in stored:
        feeds = definitions.for_series(item.series_id)
        feed = next((f for f in feeds if f.enabled), feeds[0] if feeds else None)
        state = states.get(feed.id) if feed else None
        lines.append(
            SeriesStatus(
                series_id=item.series_id,
                material=item.material,
                frequency=item.frequency,
                feed_id=feed.id if feed else None,
                last_period=item.last_period,
                observations=item.observations,
                suspect=item.suspect,
                last_run_at=aware(state.last_run_at) if state else None,
                last_status=state.last_status if state else None,
                failing=bool(state and state.failing),
                staleness=is_stale(
                    item.last_period,
                    item.frequency,
                    as_of,
                    combined_jan_feb=item.series_id in combined,
                ),
            )
        )
    return lines


# --- views for operators --------------------------------------------------------------------


@dataclass(frozen=True)
class RejectedLine:
    """A rejected row with the feed run that refused it."""

    feed: str
    run_started_at: datetime
    source: str
    line: int | None
    raw: str
    reason: str


def rejected_rows(
    session: Session, *, feed_id: str | None = None, limit: int = 50
) -> list[RejectedLine]:
    """The newest rejected rows (of one feed when given), newest run first, in line order."""
    query = (
        select(
            FeedRun.feed,
            FeedRun.started_at,
            RejectedRow.source,
            RejectedRow.line,
            RejectedRow.raw,
            RejectedRow.reason,
        )
        .join(FeedRun, FeedRun.id == RejectedRow.feed_run_id)
        .order_by(FeedRun.id.desc(), RejectedRow.line, RejectedRow.id)
        .limit(limit)
    )
    if feed_id is not None:
        query = query.where(FeedRun.feed == feed_id)
    return [
        RejectedLine(feed, aware(started) or started, source, line, raw, reason)
        for feed, started, source, line, raw, reason in session.execute(query)
    ]


def series_observations(session: Session, *, series_id: str, until: date) -> pd.DataFrame:
    """One series' stored observations up to ``until`` in the long format, with ``suspect``."""
    return observation_frame(session, until=until, series_id=series_id, with_suspect=True)
