"""Storing validated observations: new values, revisions and rejected rows, as one batch.

:func:`store_batch` writes a batch (one file, one feed pull, one derivation) and the feed run
that records it in the caller's session: the caller commits, so either every accepted row,
revision and rejected row of the batch lands, or none does and the store is as it was. When
the batch fails, the caller records the failed run in a new transaction
(:func:`record_failed_run`; ``warning.jobs.ingest`` does both).

Rows for a derived series are refused unless they are history its source cannot give
(:mod:`warning.feeding.derived_history`); the service computes the rest itself
(:mod:`warning.feeding.derivation`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from feeds.longformat import ParsedBatch, SeriesSpec
from feeds.quality import DEFAULT_JUMP_FACTOR, suspect_among_stored
from vocabulary.text import escaped
from warning import clock
from warning.catalog.models import Observation, ObservationRevision, Series
from warning.feeding.derived_history import refuse_derived_rows
from warning.feeding.models import FeedRun, FeedRunKind, FeedRunStatus, RejectedRow
from warning.store.bulk import insert_observations

RELATIVE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Reject:
    """A refused row as reported to the user."""

    line: int | None
    reason: str


@dataclass(frozen=True)
class PeriodSpan:
    """The first and last period of one series that a batch stored new or revised values for."""

    series_id: str
    first: date
    last: date


@dataclass(frozen=True)
class IngestReport:
    """What one batch did to the store; ``stored`` says which periods of which series changed."""

    feed_run_id: int
    source: str
    accepted: int
    revised: int
    unchanged: int
    rejected: int
    suspect: int = 0
    rejects: tuple[Reject, ...] = field(default=())
    stored: tuple[PeriodSpan, ...] = field(default=())

    def as_json(self) -> dict[str, object]:
        """The report in the documented JSON shape of ``warning ingest-file --json``."""
        return {
            "accepted": self.accepted,
            "revised": self.revised,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "rejects": [{"line": r.line, "reason": r.reason} for r in self.rejects],
        }


def record_failed_run(
    session: Session,
    *,
    feed: str,
    kind: FeedRunKind,
    source: str,
    started: datetime,
    error: str,
) -> int:
    """Record a run that stored nothing, with its error text; return its id."""
    return _record_run(
        session,
        feed=feed,
        kind=kind,
        source=source,
        started=started,
        status=FeedRunStatus.FAILED,
        error=error,
    )


def record_refused_source(
    session: Session,
    *,
    feed: str,
    kind: FeedRunKind,
    source: str,
    started: datetime,
    problem: str,
) -> int:
    """Record a run that refused its source as a whole (a bad header, an unknown encoding, a
    file too large): a failed run, and a rejected row without a line saying why, so that
    ``warning feeds rejects`` shows it with the rows refused one by one. Returns the run id."""
    run_id = record_failed_run(
        session, feed=feed, kind=kind, source=source, started=started, error=problem
    )
    refusal = RejectedRow(
        feed_run_id=run_id,
        source=source,
        line=None,
        raw="",
        reason=escaped(f"whole file refused: {problem}"),
        created_at=clock.now(),
    )
    session.add(refusal)
    return run_id


def record_unchanged_run(session: Session, *, feed: str, source: str, started: datetime) -> int:
    """Record a feed run whose source had not changed since the last one."""
    return _record_run(
        session,
        feed=feed,
        kind=FeedRunKind.FEED,
        source=source,
        started=started,
        status=FeedRunStatus.UNCHANGED,
        error=None,
    )


def _record_run(
    session: Session,
    *,
    feed: str,
    kind: FeedRunKind,
    source: str,
    started: datetime,
    status: FeedRunStatus,
    error: str | None,
) -> int:
    run = FeedRun(
        feed=feed,
        kind=kind,
        source=source,
        started_at=started,
        finished_at=clock.now(),
        status=status,
        rows_fetched=0,
        accepted=0,
        revised=0,
        unchanged=0,
        rejected=0,
        suspect=0,
        error=None if error is None else escaped(error),
    )
    session.add(run)
    session.flush()
    return run.id


def store_batch(
    session: Session,
    *,
    batch: ParsedBatch,
    feed: str,
    kind: FeedRunKind,
    started: datetime,
    jump_factor: float = DEFAULT_JUMP_FACTOR,
) -> IngestReport:
    """Store a validated batch and the run recording it in ``session``; return what it did.

    Rows for derived series are refused (module docstring) unless the batch is a derivation:
    the service's own computation of them (:mod:`warning.feeding.derivation`). Every new or
    revised value of a file or feed is judged for a suspect jump against the last period
    before it that is not suspect (:func:`feeds.quality.suspect_among_stored`,
    ``jump_factor``), whatever flag the batch
    carries; an unchanged value keeps its stored flag. Derived values are not judged: their
    inputs left suspect values out.
    """
    now = clock.now()
    run = FeedRun(
        feed=feed,
        kind=kind,
        source=batch.source,
        started_at=started,
        status=FeedRunStatus.RUNNING,
    )
    session.add(run)
    session.flush()
    _create_series(session, batch.new_series, source=batch.source, now=now)
    incoming, rejects = batch.observations, batch.rejects
    if kind != FeedRunKind.DERIVATION:
        incoming, rejects = refuse_derived_rows(session, observations=incoming, rejects=rejects)
    existing = _existing(session, incoming["series_id"].unique().tolist())
    merged = incoming.merge(existing, on=["series_id", "period"], how="left")
    is_new = merged["old_value"].isna()
    is_changed = ~is_new & ~np.isclose(
        merged["value"], merged["old_value"], rtol=RELATIVE_TOLERANCE, atol=0.0
    )
    suspect = _suspect(merged, existing, kind=kind, written=is_new | is_changed, factor=jump_factor)
    _insert_new(session, merged[is_new], suspect[is_new], run_id=run.id, now=now)
    _revise(session, merged[is_changed], suspect[is_changed], run_id=run.id, now=now)
    _insert_rejects(session, rejects, source=batch.source, run_id=run.id, now=now)

    run.rows_fetched = len(incoming) + len(rejects)
    run.accepted = int(is_new.sum())
    run.revised = int(is_changed.sum())
    run.unchanged = len(merged) - run.accepted - run.revised
    run.rejected = len(rejects)
    run.suspect = int(suspect.sum())
    run.status = FeedRunStatus.OK
    run.finished_at = clock.now()
    return IngestReport(
        feed_run_id=run.id,
        source=batch.source,
        accepted=run.accepted,
        revised=run.revised,
        unchanged=run.unchanged,
        rejected=run.rejected,
        suspect=run.suspect,
        rejects=tuple(
            Reject(_line(line), str(reason))
            for line, reason in zip(rejects["line"], rejects["reason"], strict=True)
        ),
        stored=_spans(merged[is_new | is_changed]),
    )


def _suspect(
    merged: pd.DataFrame,
    existing: pd.DataFrame,
    *,
    kind: FeedRunKind,
    written: pd.Series,
    factor: float,
) -> pd.Series:
    """The suspect flag of each incoming row: judged for the values ``written`` (new or
    revised) against the last value before each that is not suspect, stored or written (an
    unchanged value counts with its stored flag); derived values are never judged."""
    if kind == FeedRunKind.DERIVATION:
        return pd.Series(False, index=merged.index)
    stored = existing.rename(columns={"old_value": "value", "old_suspect": "suspect"})
    judged = suspect_among_stored(merged[written], stored, factor=factor)
    return judged.reindex(merged.index, fill_value=False).astype(bool)


def _spans(stored: pd.DataFrame) -> tuple[PeriodSpan, ...]:
    periods = stored.groupby("series_id")["period"].agg(["min", "max"])
    return tuple(
        PeriodSpan(str(series_id), first.date(), last.date())
        for series_id, first, last in zip(
            periods.index, periods["min"], periods["max"], strict=True
        )
    )


def _create_series(
    session: Session, new_series: Sequence[SeriesSpec], *, source: str, now: datetime
) -> None:
    if not new_series:
        return
    session.execute(
        insert(Series),
        [
            {
                "id": spec.series_id,
                "material_id": spec.material,
                "indicator": spec.indicator,
                "frequency": spec.frequency,
                "unit": spec.unit,
                "source": f"first loaded from {source}",
                "in_catalog": False,
                "created_at": now,
            }
            for spec in new_series
        ],
    )


def _existing(session: Session, series_ids: list[str]) -> pd.DataFrame:
    """Stored values of these series, typed like the incoming frame even when empty."""
    rows = (
        session.execute(
            select(
                Observation.series_id,
                Observation.period,
                Observation.value,
                Observation.revisions,
                Observation.suspect,
            ).where(Observation.series_id.in_(series_ids))
        ).all()
        if series_ids
        else []
    )
    frame = pd.DataFrame(
        rows, columns=["series_id", "period", "old_value", "old_revisions", "old_suspect"]
    )
    return frame.astype(
        {
            "series_id": object,
            "period": "datetime64[ns]",
            "old_value": float,
            "old_revisions": np.int64,
            "old_suspect": bool,
        }
    )


def _insert_new(
    session: Session, rows: pd.DataFrame, suspect: pd.Series, *, run_id: int, now: datetime
) -> None:
    if rows.empty:
        return
    records = list(
        zip(
            rows["series_id"].tolist(),
            rows["period"].dt.date.tolist(),
            rows["value"].astype(float).tolist(),
            suspect.astype(bool).tolist(),
            strict=True,
        )
    )
    insert_observations(session, rows=records, run_id=run_id, now=now)


def _revise(
    session: Session, rows: pd.DataFrame, suspect: pd.Series, *, run_id: int, now: datetime
) -> None:
    """Record each changed value as a revision; its suspect flag is judged afresh."""
    if rows.empty:
        return
    periods = rows["period"].dt.date.tolist()
    keys = list(zip(rows["series_id"].tolist(), periods, strict=True))
    old_values = rows["old_value"].astype(float).tolist()
    new_values = rows["value"].astype(float).tolist()
    counts = rows["old_revisions"].astype(int).tolist()
    flags = suspect.astype(bool).tolist()
    session.execute(
        insert(ObservationRevision),
        [
            {
                "series_id": series_id,
                "period": period,
                "old_value": old,
                "new_value": new,
                "seen_at": now,
                "feed_run_id": run_id,
            }
            for (series_id, period), old, new in zip(keys, old_values, new_values, strict=True)
        ],
    )
    session.execute(
        update(Observation),
        [
            {
                "series_id": series_id,
                "period": period,
                "value": new,
                "changed_at": now,
                "revisions": count + 1,
                "suspect": flag,
                "feed_run_id": run_id,
            }
            for (series_id, period), new, count, flag in zip(
                keys, new_values, counts, flags, strict=True
            )
        ],
    )


def _insert_rejects(
    session: Session, rejects: pd.DataFrame, *, source: str, run_id: int, now: datetime
) -> None:
    if rejects.empty:
        return
    session.execute(
        insert(RejectedRow),
        [
            {
                "feed_run_id": run_id,
                "source": source,
                "line": _line(line),
                "raw": escaped(str(raw)),  # a refused row may hold a NUL: kept escaped
                "reason": escaped(str(reason)),
                "created_at": now,
            }
            for line, raw, reason in zip(
                rejects["line"], rejects["raw"], rejects["reason"], strict=True
            )
        ],
    )


def _line(line: object) -> int | None:
    """A reject's line number; None for a refusal that no line of a source names."""
    return None if pd.isna(line) else int(line)  # type: ignore[call-overload]
