"""The board: one line per material with its latest value, change, level and reason."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from vocabulary import IndicatorKind, frequency_rank
from warning.catalog import Catalog
from warning.catalog.models import Observation, Series
from warning.evaluation.models import Assessment
from warning.evaluation.runs import latest_assessments


@dataclass(frozen=True)
class SeriesInfo:
    """The fields of a stored series that the board needs."""

    id: str
    material_id: str
    indicator: str
    frequency: str
    unit: str


@dataclass(frozen=True)
class MaterialLine:
    """What the board shows of one material."""

    material: str
    name_zh: str
    name_en: str
    sector: str
    series_count: int
    latest_period: date | None
    headline_series: str | None
    latest_value: float | None
    unit: str | None
    change_pct: float | None
    level: str | None = None
    direction: str | None = None
    reason: str | None = None  # Chinese, then English, on two lines
    reasons_zh: str | None = None
    reasons_en: str | None = None
    assessed_as_of: date | None = None
    assessment_id: int | None = None
    basis: str | None = None  # confirmed, pending, held, vetoed, capped, supply_only, no_data
    level_since: date | None = None
    earliest_change: date | None = None


def material_lines(
    session: Session,
    *,
    catalog: Catalog,
    as_of: date | None = None,
    assessments: Mapping[str, Assessment] | None = None,
) -> list[MaterialLine]:
    """A line per catalog material, in catalog order, with data on or before ``as_of``.

    The level and reason are the material's newest stored assessment (as of ``as_of``), or
    the one given in ``assessments`` when the caller has read them already.
    """
    if assessments is None:
        assessments = latest_assessments(session, as_of=as_of)
    series_rows = [
        SeriesInfo(*row)
        for row in session.execute(
            select(Series.id, Series.material_id, Series.indicator, Series.frequency, Series.unit)
        )
    ]
    latest = _latest_periods(session, as_of)
    lines = []
    for material in catalog.materials:
        own = [row for row in series_rows if row.material_id == material.id]
        periods = [latest[row.id] for row in own if row.id in latest]
        headline = _headline(own, latest)
        value, change = (None, None)
        if headline is not None:
            value, change = _latest_change(session, headline.id, as_of)
        assessment = assessments.get(material.id)
        lines.append(
            MaterialLine(
                material=material.id,
                name_zh=material.name_zh,
                name_en=material.name_en,
                sector=material.sector,
                series_count=len(own),
                latest_period=max(periods) if periods else None,
                headline_series=headline.id if headline is not None else None,
                latest_value=value,
                unit=headline.unit if headline is not None else None,
                change_pct=change,
                level=assessment.level if assessment else None,
                direction=assessment.direction if assessment else None,
                reason=f"{assessment.reasons_zh}\n{assessment.reasons_en}" if assessment else None,
                reasons_zh=assessment.reasons_zh if assessment else None,
                reasons_en=assessment.reasons_en if assessment else None,
                assessed_as_of=assessment.as_of if assessment else None,
                assessment_id=assessment.id if assessment else None,
                basis=assessment.basis if assessment else None,
                level_since=assessment.level_since if assessment else None,
                earliest_change=assessment.earliest_change if assessment else None,
            )
        )
    return lines


@dataclass(frozen=True)
class HeadlineValue:
    """A material's headline price at a date: its series, value, period and unit."""

    series_id: str
    indicator: str
    frequency: str
    value: float
    period: date
    unit: str


def headline_value(session: Session, *, material_id: str, as_of: date) -> HeadlineValue | None:
    """The material's headline price (as the board picks it) on or before ``as_of``."""
    own = [
        SeriesInfo(*row)
        for row in session.execute(
            select(
                Series.id, Series.material_id, Series.indicator, Series.frequency, Series.unit
            ).where(Series.material_id == material_id)
        )
    ]
    latest = {
        row.id: period
        for row in own
        if (
            period := session.scalar(
                select(func.max(Observation.period)).where(
                    Observation.series_id == row.id, Observation.period <= as_of
                )
            )
        )
    }
    headline = _headline(own, latest)
    if headline is None:
        return None
    value, _ = _latest_change(session, headline.id, as_of)
    if value is None:
        return None
    return HeadlineValue(
        headline.id,
        headline.indicator,
        headline.frequency,
        value,
        latest[headline.id],
        headline.unit,
    )


def _latest_periods(session: Session, as_of: date | None) -> dict[str, date]:
    """Each series' newest period: one primary-key probe per series, not a scan of every
    observation."""
    newest = select(func.max(Observation.period)).where(Observation.series_id == Series.id)
    if as_of is not None:
        newest = newest.where(Observation.period <= as_of)
    query = select(Series.id, newest.correlate(Series).scalar_subquery())
    return {series_id: period for series_id, period in session.execute(query) if period}


def _headline(own: list[SeriesInfo], latest: dict[str, date]) -> SeriesInfo | None:
    """The price series that best shows the material now: the freshest, then the finest."""
    prices = [row for row in own if row.indicator == IndicatorKind.PRICE and row.id in latest]
    if not prices:
        return None
    return max(
        prices,
        key=lambda row: (latest[row.id], -frequency_rank(row.frequency)),
    )


def _latest_change(
    session: Session, series_id: str, as_of: date | None
) -> tuple[float | None, float | None]:
    query = select(Observation.value).where(Observation.series_id == series_id)
    if as_of is not None:
        query = query.where(Observation.period <= as_of)
    values = list(session.scalars(query.order_by(Observation.period.desc()).limit(2)))
    if not values:
        return None, None
    if len(values) < 2 or values[1] == 0:
        return values[0], None
    return values[0], 100.0 * (values[0] / values[1] - 1.0)


def standing_since(session: Session, *, current: Mapping[str, Assessment]) -> dict[str, date]:
    """Since when each material's stored assessments have said what ``current`` (its current
    assessment) says: the date of the first assessment of that unbroken run.

    Per material, the index on (material, date) is walked back from the current assessment
    to the newest one that said something else, then forward one step: the cost follows the
    length of the run, not of the history."""
    since = {}
    for material, now in current.items():
        own = (Assessment.material_id == material, Assessment.as_of <= now.as_of)
        broke = session.scalar(
            select(Assessment.as_of)
            .where(*own, or_(Assessment.level != now.level, Assessment.direction != now.direction))
            .order_by(Assessment.as_of.desc())
            .limit(1)
        )
        first = select(Assessment.as_of).where(*own)
        if broke is not None:
            first = first.where(Assessment.as_of > broke)
        found = session.scalar(first.order_by(Assessment.as_of).limit(1))
        if found is not None:
            since[material] = found
    return since
