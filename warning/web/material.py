"""What the material page shows: a series at any of the five views (daily, weekly, monthly,
quarterly, yearly) with the level history as a coloured timeline under it, the material's
warnings and audit; and its data as CSV or XLSX."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from feeds.aggregate import TARGETS, aggregate
from rules.ruleset import RuleSet
from vocabulary import frequency_rank
from warning.audit import AuditView, entries
from warning.catalog.models import Observation, Series
from warning.catalog.observations import observation_frame
from warning.evaluation.history import LevelHistory
from warning.evaluation.models import Assessment
from warning.review.models import MaterialWarning
from warning.review.queries import list_warnings
from warning.web import charts
from warning.web.i18n import LEVEL_NAMES
from warning.web.levels import LevelCache
from warning.web.words import Words

VIEWS: Final = ("D", "W", "M", "Q", "Y")  # the monitoring system's five views
RANGES: Final[dict[str, int | None]] = {"3m": 92, "1y": 366, "3y": 3 * 365 + 1, "all": None}
DEFAULT_RANGE: Final = {"D": "3y", "W": "all", "M": "all", "Q": "all", "Y": "all"}
TIMELINE_DAYS: Final = 3 * 365  # the level replay (bands, strip) covers at most this


@dataclass(frozen=True)
class MaterialView:
    series: list[Series]
    chosen: Series | None
    view: str
    views: list[tuple[str, bool]]  # each of the five views and whether this series has it
    range: str  # one of RANGES
    overlay: Series | None  # another series of the material drawn beside the chosen one
    assessment: Assessment | None
    warnings: list[MaterialWarning]
    audit: list[AuditView]
    chart: dict[str, Any]
    points: int


@dataclass(frozen=True)
class ChartAsked:
    """What the visitor asked the chart to show (already checked against the material)."""

    chosen: Series
    view: str
    range: str
    overlay: Series | None


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
    range_name: str | None = None,
    overlay_id: str | None = None,
) -> MaterialView:
    """The page's content; an unknown ``series_id``, ``view`` or ``range_name`` falls back to
    the default, an unknown ``overlay_id`` (or the chosen series itself) to no overlay."""
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
    span = range_name if range_name in RANGES else DEFAULT_RANGE.get(shown, "all")
    overlay = next((s for s in series if s.id == overlay_id and s is not chosen), None)
    assessment = session.scalar(
        select(Assessment)
        .where(Assessment.material_id == material_id)
        .order_by(Assessment.as_of.desc(), Assessment.id.desc())
        .limit(1)
        .options(selectinload(Assessment.indicators))
    )
    asked = ChartAsked(chosen, shown, span, overlay) if chosen is not None else None
    chart, count = (
        _chart(session, asked, assessment, newest, until, levels, words) if asked else ({}, 0)
    )
    warnings, _ = list_warnings(session, material_id=material_id, limit=50)
    audit, _ = entries(session, material_id=material_id, limit=50)
    return MaterialView(
        series=series,
        chosen=chosen,
        view=shown,
        views=[(v, v in allowed) for v in VIEWS],
        range=span,
        overlay=overlay,
        assessment=assessment,
        warnings=warnings,
        audit=audit,
        chart=chart,
        points=count,
    )


def _values(
    session: Session, series: Series, view: str, start: date | None, end: date
) -> tuple[list[tuple[date, float]], int]:
    """A series' values from ``start`` to ``end`` at ``view`` (at its own frequency when the
    view is finer than it), and the decimals its stored values are written with."""
    frame = observation_frame(session, until=end, since=start, series_id=series.id)
    precision = charts.precision(float(v) for v in frame["value"])
    coarser = view != series.frequency and view in TARGETS.get(series.frequency, ())
    shown = aggregate(frame, view) if len(frame) and coarser else frame
    values = [
        (pd.Timestamp(p).date(), float(v))
        for p, v in zip(shown["period"], shown["value"], strict=True)
    ]
    return values, precision


def _line(
    series: Series, values: list[tuple[date, float]], precision: int, words: Words
) -> dict[str, Any]:
    return {
        "name": words.series(series),
        "unit": words.unit(series.unit),
        "precision": precision,
        "points": charts.points(values),
    }


def _chart(
    session: Session,
    asked: ChartAsked,
    assessment: Assessment | None,
    newest: dict[str, date],
    until: date,
    levels: LevelCache,
    words: Words,
) -> tuple[dict[str, Any], int]:
    formats = words.formats
    chosen = asked.chosen
    if chosen.id not in newest:
        return {}, 0
    end = min(newest[chosen.id], until)
    days = RANGES[asked.range]
    start = end - timedelta(days=days) if days is not None else None
    values, precision = _values(session, chosen, asked.view, start, end)
    data_end = min(max(newest.values()), until)
    replay_start = data_end - timedelta(days=TIMELINE_DAYS)
    history = levels.get(
        session,
        material_id=chosen.material_id,
        start=max(start, replay_start) if start is not None else replay_start,
        end=data_end,
    )
    chart: dict[str, Any] = {
        "series": _line(chosen, values, precision, words),
        "bands": charts.bands(history),
        "timeline": charts.timeline(history),
        "levels": charts.level_labels(formats.gettext, LEVEL_NAMES),
        "labels": {"timeline": formats.gettext("Level by the rule set")},
    }
    panel = _indicator(history, assessment, chosen, levels.ruleset, formats.gettext)
    if panel is not None:
        chart["indicator"] = panel
    if asked.overlay is not None:
        overlay, digits = _values(session, asked.overlay, asked.view, start, end)
        chart["overlay"] = _line(asked.overlay, overlay, digits, words)
    return chart, len(values)


def _indicator(
    history: LevelHistory,
    assessment: Assessment | None,
    chosen: Series,
    ruleset: RuleSet,
    gettext: Callable[[str], str],
) -> dict[str, Any] | None:
    """The lower panel of the item page's chart for the chosen series: its indicator that
    scored highest in the newest assessment (else the rule set's first signal rule with values
    on it) against the rule's threshold lines; None when no rule reads this series."""
    rules = {r.name: r for r in ruleset.rules_for(chosen.material_id) if r.role == "signal"}
    scored = sorted(
        (row for row in (assessment.indicators if assessment else []) if row.score is not None),
        key=lambda row: -(row.score or 0.0),
    )
    names = [row.indicator for row in scored if row.series_id == chosen.id] + list(rules)
    for name in names:
        rule = rules.get(name)
        if rule is not None and history.indicator_values(name, chosen.id):
            return charts.indicator_panel(history, rule, chosen.id, gettext)
    return None


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
