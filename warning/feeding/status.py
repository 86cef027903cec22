"""What operators see of feeds: each series' freshness and last run, rejected rows, values.

Staleness itself is :mod:`warning.feeding.staleness`; a derived series shows the last
derivation run from its source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feeds.definitions import FeedDefinitions
from feeds.staleness import Staleness
from warning.catalog.observations import observation_frame
from warning.feeding.feed_runs import feed_states
from warning.feeding.models import FeedRun, FeedRunKind, FeedRunStatus, FeedState, RejectedRow
from warning.feeding.staleness import (
    FailedDerivation,
    StoredSeries,
    combined_jan_feb_ids,
    failed_derivations,
    staleness_by_series,
    stored_series,
)
from warning.store import aware


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
    derived_from: str | None = None


def series_status(
    session: Session, *, definitions: FeedDefinitions, as_of: date
) -> list[SeriesStatus]:
    """Every stored series (catalog or not) with its data, feed run state and staleness."""
    stored = stored_series(session, as_of=as_of)
    combined = combined_jan_feb_ids(stored, definitions)
    failed = failed_derivations(session)
    verdicts = staleness_by_series(stored, as_of=as_of, combined_jan_feb=combined, failed=failed)
    states = feed_states(session)
    derivations = last_derivations(session)
    lines = []
    for item in stored:
        feeds = definitions.for_series(item.series_id)
        feed = next((f for f in feeds if f.enabled), feeds[0] if feeds else None)
        last_run, status, failing = _last_run(
            item, states.get(feed.id) if feed else None, derivations, failed
        )
        lines.append(
            SeriesStatus(
                series_id=item.series_id,
                material=item.material,
                frequency=item.frequency,
                feed_id=feed.id if feed else None,
                last_period=item.last_period,
                observations=item.observations,
                suspect=item.suspect,
                last_run_at=aware(last_run),
                last_status=status,
                failing=failing,
                staleness=verdicts[item.series_id],
                derived_from=item.derived_from,
            )
        )
    return lines


def _last_run(
    item: StoredSeries,
    state: FeedState | None,
    derivations: Mapping[str, tuple[datetime, FeedRunStatus]],
    failed: Mapping[str, FailedDerivation],
) -> tuple[datetime | None, str | None, bool]:
    """Last run start, its status and whether failing: the feed's, or for a derived series
    the last derivation from its source (failing: :func:`failed_derivations`)."""
    if item.derived_from:
        started, status = derivations.get(item.derived_from, (None, None))
        return started, status, item.derived_from in failed
    if state is None:
        return None, None, False
    return state.last_run_at, state.last_status, bool(state.failing)


def last_derivations(session: Session) -> dict[str, tuple[datetime, FeedRunStatus]]:
    """The start and status of the newest derivation run per source series."""
    newest = (
        select(func.max(FeedRun.id).label("id"))
        .where(FeedRun.kind == FeedRunKind.DERIVATION)
        .group_by(FeedRun.source)
        .subquery()
    )
    rows = session.execute(
        select(FeedRun.source, FeedRun.started_at, FeedRun.status).join(
            newest, newest.c.id == FeedRun.id
        )
    )
    return {source: (started, status) for source, started, status in rows}


@dataclass(frozen=True)
class RejectedLine:
    """A rejected row with the feed run that refused it."""

    feed: str
    run_started_at: datetime
    source: str
    line: int | None
    raw: str
    reason: str


def rejected_count(session: Session, *, feed_id: str | None = None) -> int:
    """How many rejected rows are kept (of one feed, or all)."""
    query = (
        select(func.count())
        .select_from(RejectedRow)
        .join(FeedRun, FeedRun.id == RejectedRow.feed_run_id)
    )
    if feed_id is not None:
        query = query.where(FeedRun.feed == feed_id)
    return int(session.scalar(query) or 0)


def rejected_rows(
    session: Session, *, feed_id: str | None = None, limit: int = 50, offset: int = 0
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
        .offset(offset)
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


def recent_runs(session: Session, *, limit: int = 20) -> list[FeedRun]:
    """The newest feed runs of every kind (feeds, files, derivations), newest first."""
    return list(session.scalars(select(FeedRun).order_by(FeedRun.id.desc()).limit(limit)))
