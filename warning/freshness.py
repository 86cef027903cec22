"""Which stored series are fresh and which are stale on a given date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warning.models import Observation, Series

# How long after a period starts its value is normally available, plus a grace; past this
# with no newer period the series is stale. Refined per trading calendar in feeds.staleness.
EXPECTED_LAG = {
    "D": timedelta(days=7),
    "W": timedelta(days=14),
    "T": timedelta(days=25),
    "M": timedelta(days=75),
    "Q": timedelta(days=150),
    "Y": timedelta(days=500),
}


@dataclass(frozen=True)
class SeriesFreshness:
    """A series' newest period on or before a date, and whether it is stale then."""

    series_id: str
    material: str
    frequency: str
    last_period: date | None
    stale: bool


def series_freshness(session: Session, *, as_of: date) -> list[SeriesFreshness]:
    """Every stored series with its newest period on or before ``as_of``."""
    last = (
        select(Observation.series_id, func.max(Observation.period).label("last_period"))
        .where(Observation.period <= as_of)
        .group_by(Observation.series_id)
        .subquery()
    )
    rows = session.execute(
        select(Series.id, Series.material_id, Series.frequency, last.c.last_period)
        .outerjoin(last, last.c.series_id == Series.id)
        .order_by(Series.material_id, Series.id)
    )
    return [
        SeriesFreshness(
            series_id=series_id,
            material=material,
            frequency=frequency,
            last_period=last_period,
            stale=last_period is None or as_of - last_period > EXPECTED_LAG[frequency],
        )
        for series_id, material, frequency, last_period in rows
    ]
