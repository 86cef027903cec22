"""Running feeds into the store: one feed or many, with per-feed state kept between runs.

For each feed the job reads what the store knows (series specs, the last stored value per
series for the engine's suspect-jump check, the validators of the last run and ``since`` =
the last stored period), calls :func:`feeds.engine.fetch` with no transaction open (a slow source
holds no lock), then in one transaction stores the batch, or records the failed or
unchanged run, together with the feed's state (:mod:`warning.feeding.feed_runs`). A batch
that fails to store is rolled back whole and recorded as a failed run in a transaction of
its own. One feed's failure never stops the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime

import httpx
from sqlalchemy.orm import Session, sessionmaker

from feeds.definitions import FeedDefinition
from feeds.engine import fetch
from feeds.http import HttpPolicy
from feeds.library import FunctionTable
from feeds.longformat import SeriesSpec
from feeds.result import FetchResult, FetchStatus
from warning import clock
from warning.catalog.observations import known_series, last_stored
from warning.feeding.feed_runs import (
    FAILING_AFTER,
    FeedOutcome,
    FeedRunStatus,
    fetch_since,
    remembered_validators,
    save_feed_state,
    to_batch,
)
from warning.feeding.ingest import record_failed_run, record_unchanged_run, store_batch
from warning.feeding.models import FeedRunKind
from warning.feeding.raw_frames import RawFrames
from warning.store import read_only, transaction

log = logging.getLogger(__name__)


def run_feeds(
    factory: sessionmaker[Session],
    *,
    definitions: Iterable[FeedDefinition],
    today: date,
    on_outcome: Callable[[FeedOutcome], None] | None = None,
    client: httpx.Client | None = None,
    policy: HttpPolicy | None = None,
    secrets: Mapping[str, str] | None = None,
    failing_after: int = FAILING_AFTER,
    raw: RawFrames | None = None,
    functions: FunctionTable | None = None,
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
                raw=raw,
                functions=functions,
            )
        except Exception as error:  # e.g. the database is down: report it, go on
            log.exception("feed %s: run failed", definition.id)
            outcome = FeedOutcome(
                definition.id,
                FeedRunStatus.FAILED,
                clock.now(),
                error=f"{type(error).__name__}: {error}",
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
    today: date,
    client: httpx.Client | None = None,
    policy: HttpPolicy | None = None,
    secrets: Mapping[str, str] | None = None,
    failing_after: int = FAILING_AFTER,
    raw: RawFrames | None = None,
    functions: FunctionTable | None = None,
    since: date | None = None,
) -> FeedOutcome:
    """Fetch one feed (periods after ``today``, the desk's date, are refused), store what it
    gave atomically, and record the run and the feed's state. Library feeds call
    ``functions`` (None: the installed AKShare) and keep their raw frames in ``raw``.
    ``since`` overrides the last stored period (a backfill's chunk)."""
    started = clock.now()
    with read_only(factory) as session:
        known = known_series(session)
        last = last_stored(session, series_ids=list(definition.specs()) or list(known))
        validators = remembered_validators(session, feed_id=definition.id)
    result = fetch(
        definition,
        known=known,
        last_values={series_id: item.value for series_id, item in last.items()},
        validators=validators,
        today=today,
        client=client,
        since=since if since is not None else fetch_since(definition, last),
        secrets=secrets,
        policy=policy or HttpPolicy(clock=clock.now),
        functions=functions,
        keeper=raw.keeper(today=today, now=started) if raw is not None else None,
    )
    try:
        with transaction(factory) as session:
            outcome = _store(session, definition, result, started=started, known=known)
            return save_feed_state(
                session, outcome=outcome, validators=result.validators, failing_after=failing_after
            )
    except Exception as error:  # the batch is rolled back whole; record why
        log.exception("feed %s: storing the batch failed", definition.id)
        return _record_store_failure(
            factory, definition, result, started=started, error=error, failing_after=failing_after
        )


def _store(
    session: Session,
    definition: FeedDefinition,
    result: FetchResult,
    *,
    started: datetime,
    known: Mapping[str, SeriesSpec],
) -> FeedOutcome:
    feed_id = definition.id
    if result.status == FetchStatus.FAILED:
        error = result.error or "failed without an error text"
        record_failed_run(
            session,
            feed=feed_id,
            kind=FeedRunKind.FEED,
            source=result.location,
            started=started,
            error=error,
        )
        return FeedOutcome(feed_id, FeedRunStatus.FAILED, started, error=error)
    if result.unchanged:
        record_unchanged_run(session, feed=feed_id, source=result.location, started=started)
        return FeedOutcome(feed_id, FeedRunStatus.UNCHANGED, started)
    batch = to_batch(result, definition=definition, known=known)
    report = store_batch(
        session,
        batch=batch,
        feed=feed_id,
        kind=FeedRunKind.FEED,
        started=started,
        jump_factor=definition.jump_factor,
    )
    return FeedOutcome(
        feed_id,
        FeedRunStatus.OK,
        started,
        rows_fetched=result.rows_fetched,
        accepted=report.accepted,
        revised=report.revised,
        unchanged=report.unchanged,
        rejected=report.rejected,
        suspect=report.suspect,
        stored=report.stored,
    )


def _record_store_failure(
    factory: sessionmaker[Session],
    definition: FeedDefinition,
    result: FetchResult,
    *,
    started: datetime,
    error: Exception,
    failing_after: int,
) -> FeedOutcome:
    text = f"storing failed: {error!r}"
    with transaction(factory) as session:
        record_failed_run(
            session,
            feed=definition.id,
            kind=FeedRunKind.FEED,
            source=result.location,
            started=started,
            error=repr(error),
        )
        outcome = FeedOutcome(definition.id, FeedRunStatus.FAILED, started, error=text)
        return save_feed_state(
            session, outcome=outcome, validators=None, failing_after=failing_after
        )
