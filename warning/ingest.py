"""Storing validated observations: new values, revisions and rejected rows, atomically.

A batch (one file, or one feed pull) is stored in one transaction: either every accepted
row, revision and rejected row of the batch lands, or none does and the store is as it was.
The feed run that records the batch is written in the same transaction; if the batch fails,
a separate transaction records the failed run with its error.

Rows for a derived series are refused unless they are history its source cannot give
(:mod:`warning.derived_rows`); the service computes the rest itself (:mod:`warning.derived`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from feeds.longformat import ParsedBatch, SeriesSpec, parse_long_file
from warning.bulk import insert_observations
from warning.derived_rows import refuse_derived_rows
from warning.models import FeedRun, Material, Observation, ObservationRevision, RejectedRow, Series

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


def known_series(session: Session) -> dict[str, SeriesSpec]:
    """Every stored series as the spec that incoming rows must agree with."""
    rows = session.execute(
        select(Series.id, Series.material_id, Series.indicator, Series.frequency, Series.unit)
    )
    return {row[0]: SeriesSpec(*row) for row in rows}


def known_materials(session: Session) -> frozenset[str]:
    return frozenset(session.scalars(select(Material.id)))


def ingest_file(
    factory: sessionmaker[Session], path: Path, *, today: date, feed: str = "file"
) -> IngestReport:
    """Validate a long-format file and store it as one batch (see :func:`store_batch`).

    ``today`` is the desk's date (:func:`warning.clock.desk_today`): later periods are refused.

    A file that cannot be read at all raises :class:`feeds.longformat.FileFormatError` after
    recording the failed run; nothing stored before is touched.
    """
    started = _now()
    with factory() as session:
        materials, series = known_materials(session), known_series(session)
    try:
        batch = parse_long_file(
            path,
            known_materials=materials,
            known_series=series,
            today=today,
        )
    except ValueError as error:
        record_failed_run(factory, feed=feed, source=str(path), started=started, error=str(error))
        raise
    return store_batch(factory, batch, feed=feed, started=started)


def store_batch(
    factory: sessionmaker[Session],
    batch: ParsedBatch,
    *,
    feed: str,
    started: datetime,
    derivation: bool = False,
) -> IngestReport:
    """Store a validated batch atomically and return what it did.

    Rows for derived series are refused (module docstring) unless ``derivation`` is set: the
    batch is the service's own computation of them (:mod:`warning.derived`).
    """
    try:
        with factory() as session, session.begin():
            return _store(session, batch, feed=feed, started=started, derivation=derivation)
    except Exception as error:
        record_failed_run(
            factory, feed=feed, source=batch.source, started=started, error=repr(error)
        )
        raise


def record_failed_run(
    factory: sessionmaker[Session], *, feed: str, source: str, started: datetime, error: str
) -> int:
    """Record a run that stored nothing, with its error text."""
    with factory() as session, session.begin():
        run = FeedRun(
            feed=feed,
            source=source,
            started_at=started,
            finished_at=_now(),
            status="failed",
            error=error,
        )
        session.add(run)
        session.flush()
        return run.id


def _store(
    session: Session, batch: ParsedBatch, *, feed: str, started: datetime, derivation: bool
) -> IngestReport:
    now = _now()
    run = FeedRun(feed=feed, source=batch.source, started_at=started, status="running")
    session.add(run)
    session.flush()
    _create_series(session, batch.new_series, source=batch.source, now=now)
    incoming, rejects = batch.observations, batch.rejects
    if not derivation:
        incoming, rejects = refuse_derived_rows(session, incoming, rejects)
    existing = _existing(session, incoming["series_id"].unique().tolist())
    merged = incoming.merge(existing, on=["series_id", "period"], how="left")
    is_new = merged["old_value"].isna()
    is_changed = ~is_new & ~np.isclose(
        merged["value"], merged["old_value"], rtol=RELATIVE_TOLERANCE, atol=0.0
    )
    suspect = merged["suspect"] if "suspect" in merged else pd.Series(False, index=merged.index)
    _insert_new(session, merged[is_new], suspect[is_new], run_id=run.id, now=now)
    _revise(session, merged[is_changed], suspect[is_changed], run_id=run.id, now=now)
    _insert_rejects(session, rejects, source=batch.source, run_id=run.id, now=now)

    run.rows_fetched = len(incoming) + len(rejects)
    run.accepted = int(is_new.sum())
    run.revised = int(is_changed.sum())
    run.unchanged = len(merged) - run.accepted - run.revised
    run.rejected = len(rejects)
    run.suspect = int(suspect.sum())
    run.status = "ok"
    run.finished_at = _now()
    return IngestReport(
        feed_run_id=run.id,
        source=batch.source,
        accepted=run.accepted,
        revised=run.revised,
        unchanged=run.unchanged,
        rejected=run.rejected,
        suspect=run.suspect,
        rejects=tuple(
            Reject(int(line), str(reason))
            for line, reason in zip(rejects["line"], rejects["reason"], strict=True)
        ),
        stored=_spans(merged[is_new | is_changed]),
    )


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
                Observation.series_id, Observation.period, Observation.value, Observation.revisions
            ).where(Observation.series_id.in_(series_ids))
        ).all()
        if series_ids
        else []
    )
    frame = pd.DataFrame(rows, columns=["series_id", "period", "old_value", "old_revisions"])
    return frame.astype(
        {
            "series_id": object,
            "period": "datetime64[ns]",
            "old_value": float,
            "old_revisions": np.int64,
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
    insert_observations(session, records, run_id=run_id, now=now)


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
                "line": int(line),
                "raw": str(raw),
                "reason": str(reason),
                "created_at": now,
            }
            for line, raw, reason in zip(
                rejects["line"], rejects["raw"], rejects["reason"], strict=True
            )
        ],
    )


def _now() -> datetime:
    return datetime.now(UTC)
