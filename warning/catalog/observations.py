"""Stored observations read back: as a long-format frame (docs/contracts.md), the newest
value per series, and the series specs that incoming rows must agree with."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from feeds.longformat import LONG_COLUMNS, SeriesSpec
from warning.catalog.models import Material, Observation, Series


@dataclass(frozen=True)
class LastStored:
    """The newest stored period of a series and its value."""

    period: date
    value: float


def known_series(session: Session) -> dict[str, SeriesSpec]:
    """Every stored series as the spec that incoming rows must agree with."""
    rows = session.execute(
        select(Series.id, Series.material_id, Series.indicator, Series.frequency, Series.unit)
    )
    return {row[0]: SeriesSpec(*row) for row in rows}


def known_materials(session: Session) -> frozenset[str]:
    """Every stored material id."""
    return frozenset(session.scalars(select(Material.id)))


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


def observation_frame(
    session: Session,
    *,
    until: date,
    since: date | None = None,
    series_id: str | None = None,
    material_id: str | None = None,
    with_suspect: bool = False,
) -> pd.DataFrame:
    """Observations with a period on or before ``until`` (and from ``since``), long format.

    By default suspect values are left out (what evaluation sees); ``with_suspect=True`` keeps
    them and adds a boolean ``suspect`` column (what operators see). ``series_id`` narrows to
    one series, ``material_id`` to one material's series. Rows are ordered by series and
    period.
    """
    query = (
        _long_select()
        .where(Observation.period <= until)
        .order_by(Observation.series_id, Observation.period)
    )
    if since is not None:
        query = query.where(Observation.period >= since)
    if series_id is not None:
        query = query.where(Observation.series_id == series_id)
    if material_id is not None:
        query = query.where(Series.material_id == material_id)
    if not with_suspect:
        query = query.where(Observation.suspect.is_(False))
    frame = _frame(session, query)
    return frame if with_suspect else frame.drop(columns="suspect")


def last_before(session: Session, *, before: date) -> pd.DataFrame:
    """Each series' newest value (not suspect) from before ``before``, long format: with a
    window of recent observations, it says since when an older series has had no data."""
    newest = (
        select(Observation.series_id, func.max(Observation.period).label("period"))
        .where(Observation.period < before, Observation.suspect.is_(False))
        .group_by(Observation.series_id)
        .subquery()
    )
    query = (
        _long_select()
        .join(
            newest,
            and_(
                Observation.series_id == newest.c.series_id,
                Observation.period == newest.c.period,
            ),
        )
        .order_by(Observation.series_id)
    )
    return _frame(session, query).drop(columns="suspect")


def _long_select() -> Select[Any]:
    """Observations with their series' fields, in the long columns, then ``suspect``."""
    return select(
        Observation.series_id,
        Series.material_id,
        Series.indicator,
        Series.frequency,
        Observation.period,
        Observation.value,
        Series.unit,
        Observation.suspect,
    ).join(Series, Series.id == Observation.series_id)


def _frame(session: Session, query: Select[Any]) -> pd.DataFrame:
    frame = pd.DataFrame(session.execute(query).all(), columns=[*LONG_COLUMNS, "suspect"])
    frame["period"] = pd.to_datetime(frame["period"])
    frame["value"] = frame["value"].astype(float)
    frame["suspect"] = frame["suspect"].astype(bool)
    return frame


def recent_values(
    session: Session, *, newest: dict[str, date], span_days: int
) -> dict[str, list[tuple[date, float]]]:
    """For each series in ``newest`` (series id -> its newest period), its values that are
    not suspect from ``span_days`` before that period up to it, oldest first."""
    if not newest:
        return {}
    since = {series_id: last - timedelta(days=span_days) for series_id, last in newest.items()}
    rows = session.execute(
        select(Observation.series_id, Observation.period, Observation.value)
        .where(
            Observation.series_id.in_(list(newest)),
            Observation.period >= min(since.values()),
            Observation.suspect.is_(False),
        )
        .order_by(Observation.series_id, Observation.period)
    )
    values: dict[str, list[tuple[date, float]]] = {series_id: [] for series_id in newest}
    for series_id, period, value in rows:
        if since[series_id] <= period <= newest[series_id]:
            values[series_id].append((period, float(value)))
    return values


def series_values(
    session: Session,
    *,
    series_id: str,
    until: date,
    since: date | None = None,
    limit: int | None = None,
) -> list[tuple[date, float, bool]]:
    """One series' ``(period, value, suspect)`` on or before ``until`` (from ``since``), oldest
    first; with ``limit``, only the newest ``limit`` of them."""
    query = select(Observation.period, Observation.value, Observation.suspect).where(
        Observation.series_id == series_id, Observation.period <= until
    )
    if since is not None:
        query = query.where(Observation.period >= since)
    if limit is not None:
        query = query.order_by(Observation.period.desc()).limit(limit)
        rows = list(session.execute(query).tuples())[::-1]
    else:
        rows = list(session.execute(query.order_by(Observation.period)).tuples())
    return [(period, float(value), bool(suspect)) for period, value, suspect in rows]
