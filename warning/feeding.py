"""Running feeds into the store: one feed or many, with per-feed state kept between runs.

For each feed the service gives :func:`feeds.engine.fetch` what the store knows (series specs,
the last stored value per series for the suspect-jump check, the validators of the last run
and ``since`` = the last stored period), then stores the result with
:func:`warning.ingest.store_batch` (one transaction per batch) or records the failed or
unchanged run. ``feed_state`` keeps the validators and the failure count; a feed that failed
:data:`FAILING_AFTER` times in a row is marked failing until it succeeds again. One feed's
failure never stops the others.

What operators see of feeds (status, staleness, rejects) is in :mod:`warning.feed_status`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Final
from zoneinfo import ZoneInfo

import httpx
import pandas as pd
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, sessionmaker

from feeds.definitions import DefinitionError, FeedDefinition, FeedDefinitions, load_definitions
from feeds.engine import fetch
from feeds.http import HttpPolicy
from feeds.longformat import ParsedBatch, SeriesSpec
from feeds.result import FetchResult, Validators
from feeds.schedule import TIMEZONE
from warning.catalog import Catalog
from warning.ingest import PeriodSpan, known_series, record_failed_run, store_batch
from warning.models import FeedRun, FeedState, Observation
from warning.settings import Settings

log = logging.getLogger(__name__)

FAILING_AFTER: Final = 3  # consecutive failed runs after which a feed is marked failing
SERVICE_TZ: Final = ZoneInfo(TIMEZONE)


class FeedSelectionError(ValueError):
    """``--feed`` or ``--series`` named something no feed definition provides."""


@dataclass(frozen=True)
class LastStored:
    """The newest stored period of a series and its value."""

    period: date
    value: float


@dataclass(frozen=True)
class FeedOutcome:
    """What one feed run did: its status, counts, error and whether the feed is now failing."""

    feed_id: str
    status: str  # ok / unchanged / failed
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
    stored: tuple[PeriodSpan, ...] = ()  # what the run stored, for warning.derived


def load_feed_definitions(settings: Settings, catalog: Catalog) -> FeedDefinitions:
    """The configured feed definitions (``WARNING_FEEDS_PATH``), else the bundled ones.

    A feed may not name a catalog series that is derived (the service computes those, see
    :mod:`warning.derived`): :class:`feeds.definitions.DefinitionError` names feed and field.
    """
    definitions = load_definitions(settings.feeds_path, data_root=settings.feeds_data_root)
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


def run_feeds(
    factory: sessionmaker[Session],
    *,
    definitions: Iterable[FeedDefinition],
    on_outcome: Callable[[FeedOutcome], None] | None = None,
    today: date | None = None,
    client: httpx.Client | None = None,
    policy: HttpPolicy | None = None,
    secrets: Mapping[str, str] | None = None,
    failing_after: int = FAILING_AFTER,
) -> list[FeedOutcome]:
    """Run each feed in turn (options as in :func:`run_feed`); one failure does not stop them."""
    outcomes = []
    for definition in definitions:
        try:
            outcome = run_feed(
                factory,
                definition=definition,
                today=today,
                client=client,
                policy=policy,
                secrets=secrets,
                failing_after=failing_after,
            )
        except Exception as error:  # e.g. the database is down: report it, go on
            log.exception("feed %s: run failed", definition.id)
            outcome = FeedOutcome(
                definition.id, "failed", _now(), error=f"{type(error).__name__}: {error}"
            )
        outcomes.append(outcome)
        if on_outcome is not None:
            try:
                on_outcome(outcome)
            except Exception:  # what follows a run (evaluation) must not stop the next feed
                log.exception("feed %s: handling its outcome failed", definition.id)
    return outcomes


def run_feed(
    factory: sessionmaker[Session],
    *,
    definition: FeedDefinition,
    today: date | None = None,
    client: httpx.Client | None = None,
    policy: HttpPolicy | None = None,
    secrets: Mapping[str, str] | None = None,
    failing_after: int = FAILING_AFTER,
    clock: Callable[[], datetime] | None = None,
) -> FeedOutcome:
    """Fetch one feed, store what it gave atomically, record the run and the feed's state."""
    now = clock or _now
    started = now()
    with factory() as session:
        known = known_series(session)
        wanted = list(definition.specs()) or list(known)
        last = last_stored(session, series_ids=wanted)
        validators = _validators(session.get(FeedState, definition.id))
    result = fetch(
        definition,
        known=known,
        last_values={series_id: item.value for series_id, item in last.items()},
        validators=validators,
        today=today or started.astimezone(SERVICE_TZ).date(),
        client=client,
        since=_since(definition, last),
        secrets=secrets,
        policy=policy or HttpPolicy(clock=_now),
    )
    outcome = _store(factory, definition, result, known=known, last=last, started=started)
    return _save_state(factory, outcome, validators=result.validators, failing_after=failing_after)


def _store(
    factory: sessionmaker[Session],
    definition: FeedDefinition,
    result: FetchResult,
    *,
    known: Mapping[str, SeriesSpec],
    last: Mapping[str, LastStored],
    started: datetime,
) -> FeedOutcome:
    feed_id = definition.id
    if result.status == "failed":
        error = result.error or "failed without an error text"
        record_failed_run(
            factory, feed=feed_id, source=result.location, started=started, error=error
        )
        return FeedOutcome(feed_id, "failed", started, error=error)
    if result.unchanged:
        _record_unchanged(factory, feed=feed_id, source=result.location, started=started)
        return FeedOutcome(feed_id, "unchanged", started)
    batch = to_batch(result, definition=definition, known=known, last=last)
    try:  # store_batch rolls the batch back and records the failed run itself
        report = store_batch(factory, batch, feed=feed_id, started=started)
    except Exception as error:
        log.exception("feed %s: storing the batch failed", feed_id)
        return FeedOutcome(feed_id, "failed", started, error=f"storing failed: {error!r}")
    return FeedOutcome(
        feed_id,
        "ok",
        started,
        rows_fetched=result.rows_fetched,
        accepted=report.accepted,
        revised=report.revised,
        unchanged=report.unchanged,
        rejected=report.rejected,
        suspect=report.suspect,
        stored=report.stored,
    )


def to_batch(
    result: FetchResult,
    *,
    definition: FeedDefinition,
    known: Mapping[str, SeriesSpec],
    last: Mapping[str, LastStored],
) -> ParsedBatch:
    """The fetched rows as a batch for :func:`warning.ingest.store_batch`.

    The engine compares a series' first fetched row with the last stored value; when a source
    is re-read from its start that row is an old period, not a new one, so the suspect flag is
    kept only for periods after the last stored one (store_batch flags new rows only).
    """
    observations = result.observations.copy()
    cutoff = pd.to_datetime(
        observations["series_id"].map({sid: item.period for sid, item in last.items()})
    )
    observations["suspect"] = observations["suspect"].astype(bool) & ~(
        cutoff.notna() & (observations["period"] <= cutoff)
    )
    present = set(observations["series_id"])
    new_series = tuple(
        spec
        for series_id, spec in definition.specs().items()
        if series_id not in known and series_id in present
    )
    return ParsedBatch(
        source=result.location,
        observations=observations,
        rejects=result.rejects,
        new_series=new_series,
    )


def last_stored(session: Session, *, series_ids: Collection[str]) -> dict[str, LastStored]:
    """The newest stored period and value of each listed series that has any."""
    if not series_ids:
        return {}
    newest = (
        select(Observation.series_id, func.max(Observation.period).label("period"))
        .where(Observation.series_id.in_(list(series_ids)))
        .group_by(Observation.series_id)
        .subquery()
    )
    rows = session.execute(
        select(Observation.series_id, Observation.period, Observation.value).join(
            newest,
            and_(
                Observation.series_id == newest.c.series_id,
                Observation.period == newest.c.period,
            ),
        )
    )
    return {series_id: LastStored(period, float(value)) for series_id, period, value in rows}


def _since(definition: FeedDefinition, last: Mapping[str, LastStored]) -> date | None:
    """The oldest of the feed's last stored periods; None (a full pull) if any has none."""
    wanted = list(definition.specs())
    if not wanted or any(series_id not in last for series_id in wanted):
        return None
    return min(last[series_id].period for series_id in wanted)


def _validators(state: FeedState | None) -> Validators | None:
    if state is None or (state.etag is None and state.last_modified is None):
        return None
    return Validators(etag=state.etag, last_modified=state.last_modified)


def _record_unchanged(
    factory: sessionmaker[Session], *, feed: str, source: str, started: datetime
) -> None:
    with factory() as session, session.begin():
        session.add(
            FeedRun(
                feed=feed,
                source=source,
                started_at=started,
                finished_at=_now(),
                status="unchanged",
                rows_fetched=0,
                accepted=0,
                revised=0,
                unchanged=0,
                rejected=0,
                suspect=0,
            )
        )


def _save_state(
    factory: sessionmaker[Session],
    outcome: FeedOutcome,
    *,
    validators: Validators | None,
    failing_after: int,
) -> FeedOutcome:
    """Remember the run; validators only after a stored batch, so a failed store is re-read."""
    with factory() as session, session.begin():
        state = session.get(FeedState, outcome.feed_id) or FeedState(
            feed_id=outcome.feed_id, consecutive_failures=0, failing=False
        )
        state.last_run_at = outcome.started_at
        state.last_status = outcome.status
        if outcome.status == "failed":
            state.consecutive_failures = (state.consecutive_failures or 0) + 1
            state.failing = state.consecutive_failures >= failing_after
            state.last_error = outcome.error
        else:
            state.consecutive_failures, state.failing, state.last_error = 0, False, None
            state.last_success_at = outcome.started_at
            state.etag = validators.etag if validators else None
            state.last_modified = validators.last_modified if validators else None
        session.add(state)
        failures, failing = state.consecutive_failures, state.failing
    return FeedOutcome(**{**outcome.__dict__, "consecutive_failures": failures, "failing": failing})


def feed_states(session: Session) -> dict[str, FeedState]:
    """Every feed's remembered state, by feed id."""
    return {state.feed_id: state for state in session.scalars(select(FeedState))}


def aware(moment: datetime | None) -> datetime | None:
    """A stored time as an aware datetime (SQLite gives back naive UTC)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _now() -> datetime:
    return datetime.now(UTC)
