"""Suspect values: implausible jumps stored but left out of evaluation until an operator
looks at them. Listing them, and clearing a flag (with a reason, audited).

A cleared value counts again: derivation and evaluation see it. Its ``changed_at`` moves to
the moment it was cleared, so the next derivation from its series recomputes the period it
belongs to (:func:`warning.feeding.derivation.derivation_span`); ``warning.jobs.suspects``
derives and evaluates right after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from warning.audit import record
from warning.catalog.models import Observation, Series
from warning.errors import NotFound
from warning.feeding.ingest import PeriodSpan


class SuspectNotFound(NotFound):
    """No suspect value is stored for that series and period."""


@dataclass(frozen=True)
class SuspectValue:
    """A value flagged suspect, with the value stored before it in its series."""

    series_id: str
    material_id: str
    period: date
    value: float
    previous: float | None
    first_seen_at: datetime


def suspect_count(session: Session, *, material_id: str | None = None) -> int:
    """How many stored values are flagged suspect (of one material, or all)."""
    query = (
        select(func.count())
        .select_from(Observation)
        .join(Series, Series.id == Observation.series_id)
        .where(Observation.suspect.is_(True))
    )
    if material_id is not None:
        query = query.where(Series.material_id == material_id)
    return int(session.scalar(query) or 0)


def suspect_values(
    session: Session, *, material_id: str | None = None, limit: int = 100, offset: int = 0
) -> list[SuspectValue]:
    """Values flagged suspect, newest period first, each with the value before it."""
    rows = session.execute(
        select(
            Observation.series_id,
            Series.material_id,
            Observation.period,
            Observation.value,
            Observation.first_seen_at,
        )
        .join(Series, Series.id == Observation.series_id)
        .where(Observation.suspect.is_(True))
        .where(Series.material_id == material_id if material_id is not None else true())
        .order_by(Observation.period.desc(), Observation.series_id)
        .limit(limit)
        .offset(offset)
    ).all()
    found = []
    for series_id, material_id, period, value, seen in rows:
        previous = session.scalar(
            select(Observation.value)
            .where(Observation.series_id == series_id, Observation.period < period)
            .order_by(Observation.period.desc())
            .limit(1)
        )
        found.append(
            SuspectValue(
                series_id,
                material_id,
                period,
                float(value),
                None if previous is None else float(previous),
                seen,
            )
        )
    return found


def clear_suspect(
    session: Session, *, series_id: str, period: date, reason: str, actor: str, now: datetime
) -> PeriodSpan:
    """Clear the suspect flag of one stored value; the period to derive again.

    :class:`SuspectNotFound` when that value is not stored or not suspect; ValueError without
    a reason. The audit entry names the value, its series and material, and the reason.
    """
    if not reason.strip():
        raise ValueError("clearing a suspect flag needs a reason")
    row = session.execute(
        select(Observation, Series.material_id)
        .join(Series, Series.id == Observation.series_id)
        .where(Observation.series_id == series_id, Observation.period == period)
    ).first()
    if row is None or not row[0].suspect:
        raise SuspectNotFound(f"no suspect value of {series_id} for {period.isoformat()}")
    observation, material_id = row
    observation.suspect = False
    observation.changed_at = now
    record(
        session,
        at=now,
        actor=actor,
        action="suspect_cleared",
        material_id=material_id,
        subject=f"observation:{series_id}:{period.isoformat()}",
        before={"suspect": True, "value": observation.value},
        after={"suspect": False, "value": observation.value},
        comment=reason,
    )
    return PeriodSpan(series_id, period, period)
