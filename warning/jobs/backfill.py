"""Backfill: a per-day library feed's history from a date, in chunks, resumable.

``warning ingest --feed ID --since DATE`` calls :func:`backfill_feed`: each chunk is one feed
run of at most ``akshare.max_days`` trading days (polite intervals and deadlines as any run),
stored in its own transaction. A cursor in ``<var_dir>/feeds-backfill/<feed>.json`` records
the start date and the last day done, so an interrupted backfill run again with the same
``--since`` resumes after the last chunk stored: no day is asked twice, none is skipped.
A feed that is not per-day (a history in one call) is backfilled by one ordinary run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Final

from sqlalchemy.orm import Session, sessionmaker

from feeds.definitions import FeedDefinition
from feeds.library import FunctionTable, is_open
from warning.feeding.feed_runs import FeedOutcome, FeedRunStatus
from warning.feeding.raw_frames import RawFrames
from warning.jobs.feeds import run_feed

CURSOR_DIR: Final = "feeds-backfill"


def backfill_days(since: date, today: date, calendar: frozenset[date] | None) -> list[date]:
    """The trading days from ``since`` to ``today``, both included."""
    days, day = [], since
    while day <= today:
        if is_open(day, calendar):
            days.append(day)
        day += timedelta(days=1)
    return days


def _cursor(var_dir: Path, feed_id: str) -> Path:
    return var_dir / CURSOR_DIR / f"{feed_id}.json"


def _resume_from(path: Path, since: date) -> date:
    """The day after the last one done by a backfill from the same ``since``, else ``since``."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return since
    if state.get("since") != since.isoformat() or not state.get("done_through"):
        return since
    return max(since, date.fromisoformat(state["done_through"]) + timedelta(days=1))


def backfill_feed(
    factory: sessionmaker[Session],
    *,
    definition: FeedDefinition,
    since: date,
    today: date,
    var_dir: Path,
    functions: FunctionTable | None = None,
    raw: RawFrames | None = None,
    secrets: Mapping[str, str] | None = None,
    calendar: frozenset[date] | None = None,
    on_chunk: Callable[[FeedOutcome, int], None] | None = None,
) -> list[FeedOutcome]:
    """Backfill ``definition`` from ``since``; stops at the first failed chunk (run it again
    to resume). ``on_chunk(outcome, days done)`` reports progress."""

    def run(after: date | None) -> FeedOutcome:
        return run_feed(
            factory,
            definition=definition,
            today=today,
            secrets=secrets,
            raw=raw,
            functions=functions,
            since=after,
        )

    options = definition.akshare
    if options is None or not options.per_day:
        return [run(None)]
    cursor = _cursor(var_dir, definition.id)
    start = _resume_from(cursor, since)
    days = backfill_days(start, today, calendar)
    outcomes: list[FeedOutcome] = []
    done = 0
    while done < len(days):
        chunk = days[done : done + options.max_days]
        # the run asks for the trading days after its ``since``: the day before the chunk
        outcome = run(chunk[0] - timedelta(days=1))
        outcomes.append(outcome)
        if outcome.status == FeedRunStatus.FAILED:
            break
        done += len(chunk)
        cursor.parent.mkdir(parents=True, exist_ok=True)
        state = {"since": since.isoformat(), "done_through": chunk[-1].isoformat()}
        cursor.write_text(json.dumps(state), encoding="utf-8")
        if on_chunk is not None:
            on_chunk(outcome, done)
    return outcomes
