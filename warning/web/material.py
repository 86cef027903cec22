"""What the material page shows: a series at any of the five views (daily, weekly, monthly,
quarterly, yearly) with the level history as a coloured timeline under it, the material's
warnings and audit; and its data as CSV or XLSX."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feeds.aggregate import TARGETS, aggregate
from vocabulary import frequency_rank
from warning.audit import AuditView, entries
from warning.catalog.models import Observation, Series
from warning.catalog.observations import observation_frame
from warning.evaluation.models import Assessment
from warning.review.models import MaterialWarning
from warning.review.queries import list_warnings
from warning.web import charts
from warning.web.i18n import LEVEL_NAMES
from warning.web.levels import LevelCache
from warning.web.words import Words

VIEWS: Final = ("D", "W", "M", "Q", "Y")  # the monitoring system's five views
WINDOW_DAYS: Final = {"D": 730, "W": 5 * 365, "M": 20 * 365, "Q": 30 * 365, "Y": 40 * 365}
TIMELINE_DAYS: Final = 3 * 365  # the level replay under the chart covers at most this


@dataclass(frozen=True)
class MaterialView:
    series: list[Series]
    chosen: Series | None
    view: str
    views: list[tuple[str, bool]]  # each of the five views and whether this series has it
    assessment: Assessment | None
    warnings: list[MaterialWarning]
    audit: list[AuditView]
    chart: dict[str, Any]
    points: int


def default_series(series: list[Series], newest: dict[str, date]) -> Series | None:
    """The price series that best shows the material now: the freshest, then the finest."""
    prices = [s for s in series if s.indicator == "price" and s.id in newest]
    candidates = prices or [s for s in series if s.id in newest] or series
    if not candidates:
        return None
    return max(
        candidates, key=lambda s: (newest.get(s.id, date.min), -frequency_rank(s.frequency), s.id)
    )


def material_view(
    session: Session,
    *,
    material_id: str,
    series_id: str | None,
    view: str | None,
    until: date,
    levels: LevelCache,
    words: Words,
) -> MaterialView:
    """The page's content; an unknown ``series_id`` or ``view`` falls back to the default."""
    series = list(
        session.scalars(select(Series).where(Series.material_id == material_id).order_by(Series.id))
    )
    newest = dict(
        session.execute(
            select(Observation.series_id, func.max(Observation.period))
            .where(Observation.series_id.in_([s.id for s in series]))
            .group_by(Observation.series_id)
        )
        .tuples()
        .all()
    )
    chosen = next((s for s in series if s.id == series_id), None) or default_series(series, newest)
    allowed = TARGETS.get(chosen.frequency, ()) if chosen else ()
    shown = view if view in allowed and view in VIEWS else (chosen.frequency if chosen else "D")
    chart, count = _chart(session, chosen, shown, newest, until, levels, words)
    warnings, _ = list_warnings(session, material_id=material_id, limit=50)
    audit, _ = entries(session, material_id=material_id, limit=50)
    return MaterialView(
        series=series,
        chosen=chosen,
        view=shown,
        views=[(v, v in allowed) for v in VIEWS],
        assessment=session.scalar(
            select(Assessment)
            .where(Assessment.material_id == material_id)
            .order_by(Assessment.as_of.desc(), Assessment.id.desc())
            .limit(1)
        ),
        warnings=warnings,
        audit=audit,
        chart=chart,
        points=count,
    )


def _chart(
    session: Session,
    chosen: Series | None,
    view: str,
    newest: dict[str, date],
    until: date,
    levels: LevelCache,
    words: Words,
) -> tuple[dict[str, Any], int]:
    formats = words.formats
    if chosen is None or chosen.id not in newest:
        return {}, 0
    end = min(newest[chosen.id], until)
    start = end - timedelta(days=WINDOW_DAYS[view])
    frame = observation_frame(session, until=end, since=start, series_id=chosen.id)
    shown = aggregate(frame, view) if len(frame) and view != chosen.frequency else frame
    values = [
        (pd.Timestamp(p).date(), float(v))
        for p, v in zip(shown["period"], shown["value"], strict=True)
    ]
    data_end = max(newest.values())
    history = levels.get(
        session,
        material_id=chosen.material_id,
        start=max(start, data_end - timedelta(days=TIMELINE_DAYS)),
        end=min(data_end, until),
    )
    chart = {
        "series": {
            "name": words.series(chosen),
            "unit": words.unit(chosen.unit),
            "points": charts.points(values),
        },
        "timeline": charts.timeline(history),
        "levels": charts.level_labels(formats.gettext, LEVEL_NAMES),
        "labels": {"timeline": formats.gettext("Level by the rule set")},
    }
    return chart, len(values)


def export_frame(
    session: Session, *, material_id: str, series: Series | None, view: str | None, until: date
) -> pd.DataFrame:
    """The data the downloads hold: one series at a view, or every series of the material at
    its own frequency, in the long format with a ``suspect`` column."""
    frame = observation_frame(
        session,
        until=until,
        material_id=material_id,
        series_id=series.id if series else None,
        with_suspect=True,
    )
    if series is not None and view and view != series.frequency and len(frame):
        clean = frame[~frame["suspect"]].drop(columns="suspect")
        frame = aggregate(clean, view)
    frame = frame.copy()
    frame["period"] = frame["period"].dt.date
    return frame


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, so that spreadsheet programs read the Chinese right."""
    return frame.to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, sheet: str) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name=sheet[:31])
    return buffer.getvalue()
