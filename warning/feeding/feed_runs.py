"""Feed runs as the store sees them: which feeds to run, what a run gave, what is remembered.

``warning.jobs.feeds`` runs feeds with these pieces: :func:`select_feeds` chooses them,
:func:`to_batch` turns a fetch into a batch for :func:`warning.feeding.ingest.store_batch`,
and :func:`save_feed_state` keeps the validators and the failure count in ``feed_state``; a
feed that failed :data:`FAILING_AFTER` times in a row is marked failing until it succeeds
again. What operators see of feeds (status, staleness, rejects) is in
:mod:`warning.feeding.status`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from feeds.definitions import (
    BUNDLED_LIVE,
    DefinitionError,
    FeedDefinition,
    FeedDefinitions,
    load_definitions,
)
from feeds.longformat import ParsedBatch, SeriesSpec
from feeds.result import FetchResult, Validators
from warning.catalog import Catalog
from warning.catalog.observations import LastStored
from warning.errors import Invalid
from warning.feeding.ingest import PeriodSpan
from warning.feeding.models import FeedRunStatus, FeedState
from warning.settings import Settings

__all__ = [
    "FAILING_AFTER",
    "FeedOutcome",
    "FeedRunStatus",
    "FeedSelectionError",
    "feed_states",
    "fetch_since",
    "load_feed_definitions",
    "remembered_validators",
    "save_feed_state",
    "select_feeds",
    "to_batch",
]

FAILING_AFTER: Final = 3  # consecutive failed runs after which a feed is marked failing


class FeedSelectionError(Invalid):
    """``--feed`` or ``--series`` named something no feed definition provides."""


@dataclass(frozen=True)
class FeedOutcome:
    """What one feed run did: its status, counts, error and whether the feed is now failing."""

    feed_id: str
    status: FeedRunStatus  # ok, unchanged or failed
    started_at: datetime
    rows_fetched: int = 0
    accepted: int = 0
    revised: int = 0
    unchanged: int = 0
    rejected: int = 0
    suspect: int = 0
    error: str | None = None
    consecutive_failures: int = 0
    failing: bool = False
    stored: tuple[PeriodSpan, ...] = ()  # what the run stored, for derivation


def load_feed_definitions(settings: Settings, catalog: Catalog) -> FeedDefinitions:
    """The configured feed definitions (``WARNING_FEEDS_PATH``), else the bundled set
    ``WARNING_FEED_SET`` names (``local``: feeds.yaml, ``live``: live.yaml).

    A feed may not name a catalog series that is derived (the service computes those, see
    :mod:`warning.feeding.derivation`): :class:`feeds.definitions.DefinitionError` names
    feed and field.
    """
    path = settings.feeds_path
    if path is None and settings.feed_set == "live":
        path = BUNDLED_LIVE
    definitions = load_definitions(path, data_root=settings.feeds_data_root)
    derived = {
        entry.id: entry.derived_from
        for material in catalog.materials
        for entry in material.series
        if entry.derived_from
    }
    for feed in definitions.feeds:
        for index, series in enumerate(feed.series):
            if series.id in derived:
                raise DefinitionError(
                    definitions.source,
                    feed.id,
                    f"series.{index}.id",
                    f"series {series.id} is derived from {derived[series.id]}; it is computed "
                    "by the service, not fed",
                )
    return definitions


def select_feeds(
    definitions: FeedDefinitions,
    *,
    feed_ids: Sequence[str] = (),
    series_ids: Sequence[str] = (),
) -> list[FeedDefinition]:
    """The feeds to run: those named, those giving the named series, else every enabled feed.

    A feed named explicitly runs even when disabled; for a series, an enabled feed is preferred.
    """
    chosen: dict[str, FeedDefinition] = {}
    for feed_id in feed_ids:
        try:
            chosen[feed_id] = definitions.get(feed_id)
        except KeyError:
            raise FeedSelectionError(f"{definitions.source}: no feed {feed_id!r}") from None
    for series_id in series_ids:
        candidates = definitions.for_series(series_id)
        if not candidates:
            raise FeedSelectionError(f"{definitions.source}: no feed gives series {series_id!r}")
        enabled = [feed for feed in candidates if feed.enabled] or list(candidates)
        chosen.setdefault(enabled[0].id, enabled[0])
    if feed_ids or series_ids:
        return list(chosen.values())
    return [feed for feed in definitions.feeds if feed.enabled]


def to_batch(
    result: FetchResult, *, definition: FeedDefinition, known: Mapping[str, SeriesSpec]
) -> ParsedBatch:
    """The fetched rows as a batch for :func:`warning.feeding.ingest.store_batch`, which
    judges suspect jumps against the store itself (a source re-read from its start gives old
    periods, which the engine could only compare with the last stored value)."""
    present = set(result.observations["series_id"])
    new_series = tuple(
        spec
        for series_id, spec in definition.specs().items()
        if series_id not in known and series_id in present
    )
    return ParsedBatch(
        source=result.location,
        observations=result.observations,
        rejects=result.rejects,
        new_series=new_series,
    )


def fetch_since(definition: FeedDefinition, last: Mapping[str, LastStored]) -> date | None:
    """The oldest of the feed's last stored periods; None (a full pull) if any has none."""
    wanted = list(definition.specs())
    if not wanted or any(series_id not in last for series_id in wanted):
        return None
    return min(last[series_id].period for series_id in wanted)


def remembered_validators(session: Session, *, feed_id: str) -> Validators | None:
    """The ETag / Last-Modified the feed's last stored run got, to send with the next."""
    state = session.get(FeedState, feed_id)
    if state is None or (state.etag is None and state.last_modified is None):
        return None
    return Validators(etag=state.etag, last_modified=state.last_modified)


def save_feed_state(
    session: Session,
    *,
    outcome: FeedOutcome,
    validators: Validators | None,
    failing_after: int,
) -> FeedOutcome:
    """Remember the run; validators only after a stored batch, so a failed store is re-read.

    Returns the outcome with the feed's failure count and failing flag filled in.
    """
    state = session.get(FeedState, outcome.feed_id) or FeedState(
        feed_id=outcome.feed_id, consecutive_failures=0, failing=False
    )
    state.last_run_at = outcome.started_at
    state.last_status = outcome.status
    if outcome.status == FeedRunStatus.FAILED:
        state.consecutive_failures = (state.consecutive_failures or 0) + 1
        state.failing = state.consecutive_failures >= failing_after
        state.last_error = outcome.error
    else:
        state.consecutive_failures, state.failing, state.last_error = 0, False, None
        state.last_success_at = outcome.started_at
        state.etag = validators.etag if validators else None
        state.last_modified = validators.last_modified if validators else None
    session.add(state)
    return replace(outcome, consecutive_failures=state.consecutive_failures, failing=state.failing)


def feed_states(session: Session) -> dict[str, FeedState]:
    """Every feed's remembered state, by feed id."""
    return {state.feed_id: state for state in session.scalars(select(FeedState))}
