"""Stored observations read back as a long-format frame (docs/contracts.md)."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from feeds.longformat import LONG_COLUMNS
from warning.models import Observation, Series


def observation_frame(
    session: Session,
    *,
    until: date,
    since: date | None = None,
    series_id: str | None = None,
    with_suspect: bool = False,
) -> pd.DataFrame:
    """Observations with a period on or before ``until`` (and from ``since``), long format.

    By default suspect values are left out (what evaluation sees); ``with_suspect=True`` keeps
    them and adds a boolean ``suspect`` column (what operators see). ``series_id`` narrows to
    one series. Rows are ordered by series and period.
    """
    query = (
        select(
            Observation.series_id,
            Series.material_id,
            Series.indicator,
            Series.frequency,
            Observation.period,
            Observation.value,
            Series.unit,
            Observation.suspect,
        )
        .join(Series, Series.id == Observation.series_id)
        .where(Observation.period <= until)
        .order_by(Observation.series_id, Observation.period)
    )
    if since is not None:
        query = query.where(Observation.period >= since)
    if series_id is not None:
        query = query.where(Observation.series_id == series_id)
    if not with_suspect:
        query = query.where(Observation.suspect.is_(False))
    frame = pd.DataFrame(session.execute(query).all(), columns=[*LONG_COLUMNS, "suspect"])
    frame["period"] = pd.to_datetime(frame["period"])
    frame["value"] = frame["value"].astype(float)
    frame["suspect"] = frame["suspect"].astype(bool)
    return frame if with_suspect else frame.drop(columns="suspect")
