"""Materials, their observations at any view, and their assessments."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, HTTPException, Path, Query
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from feeds.aggregate import RULES, TARGETS, aggregate
from warning.api.deps import Context, Db, Viewer
from warning.api.fields import Limit, Line, MaterialFilter, Offset
from warning.api.schemas import (
    AssessmentOut,
    MaterialDetailOut,
    MaterialOut,
    ObservationOut,
    ObservationsOut,
    Page,
    SeriesOut,
    WarningOut,
)
from warning.catalog.models import Series
from warning.catalog.observations import observation_frame
from warning.clock import evaluation_date
from warning.evaluation.board import MaterialLine, material_lines
from warning.evaluation.models import Assessment
from warning.review.models import MaterialWarning
from warning.review.queries import active_warnings

router = APIRouter(tags=["materials"])
MaterialId = Annotated[Line, Path(max_length=64)]


@router.get("/materials", response_model=Page[MaterialOut])
def list_materials(
    db: Db, context: Context, user: Viewer, limit: Limit = 100, offset: Offset = 0
) -> Page[MaterialOut]:
    """The materials now, in the catalog's order: level, direction, since, latest value,
    reasons, active warning."""
    warnings = active_warnings(db)
    lines = material_lines(db, catalog=context.catalog)
    page = lines[offset : offset + limit]
    shown = [_material(line, warnings.get(line.material)) for line in page]
    return Page(items=shown, total=len(lines), limit=limit, offset=offset)


@router.get("/materials/{material_id}", response_model=MaterialDetailOut)
def get_material(
    material_id: MaterialId, db: Db, context: Context, user: Viewer
) -> MaterialDetailOut:
    """One material, with its series."""
    if material_id not in context.catalog.material_ids:
        raise HTTPException(404, f"no material {material_id!r}")
    (line,) = [x for x in material_lines(db, catalog=context.catalog) if x.material == material_id]
    series = db.scalars(select(Series).where(Series.material_id == material_id).order_by(Series.id))
    base = _material(line, active_warnings(db).get(material_id))
    return MaterialDetailOut(
        **base.model_dump(),
        series=[
            SeriesOut(
                id=s.id,
                indicator=s.indicator,
                frequency=s.frequency,
                unit=s.unit,
                derived_from=s.derived_from,
            )
            for s in series
        ],
    )


def _material(line: MaterialLine, warning: MaterialWarning | None) -> MaterialOut:
    return MaterialOut(
        id=line.material,
        name_zh=line.name_zh,
        name_en=line.name_en,
        sector=line.sector,
        level=line.level,
        direction=line.direction,
        assessed_as_of=line.assessed_as_of,
        reasons_zh=line.reasons_zh,
        reasons_en=line.reasons_en,
        basis=line.basis,
        level_since=line.level_since,
        earliest_change=line.earliest_change,
        since=warning.started_at if warning else None,
        latest_period=line.latest_period,
        latest_value=line.latest_value,
        unit=line.unit,
        headline_series=line.headline_series,
        change_pct=line.change_pct,
        warning=WarningOut.model_validate(warning) if warning else None,
    )


@router.get("/materials/{material_id}/observations", response_model=ObservationsOut)
def observations(
    material_id: MaterialId,
    db: Db,
    context: Context,
    user: Viewer,
    series: Annotated[Line, Query(max_length=128, description="a series id of this material")],
    freq: Annotated[str | None, Query(pattern="^[DWMQY]$")] = None,
    start: date | None = None,
    end: date | None = None,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 100_000,
    offset: Offset = 0,
) -> ObservationsOut:
    """A series at its own frequency or aggregated (D, W, M, Q, Y), as ``warning series --to``:
    mean for prices, sum for flows, last for inventory; suspect values left out."""
    row = db.get(Series, series)
    if row is None or row.material_id != material_id:
        raise HTTPException(404, f"no series {series!r} of material {material_id!r}")
    target = freq or row.frequency
    if target not in TARGETS.get(row.frequency, ()):
        allowed = ", ".join(TARGETS.get(row.frequency, ()))
        raise HTTPException(
            422, f"series {series} is {row.frequency}; it can be given as {allowed}"
        )
    until = end or evaluation_date(context.settings)
    frame = observation_frame(db, until=until, since=start, series_id=series)
    shown = aggregate(frame, target) if len(frame) else frame
    page = shown.iloc[offset : offset + limit]
    return ObservationsOut(
        series_id=series,
        frequency=target,
        unit=row.unit,
        rule=str(RULES[row.indicator]),
        observations=[_observation(record) for record in page.to_dict("records")],
        total=len(shown),
        limit=limit,
        offset=offset,
    )


def _observation(record: dict[Any, Any]) -> ObservationOut:
    extra = {
        key: record[key]
        for key in ("n_obs", "expected", "complete")
        if key in record and not pd.isna(record[key])
    }
    return ObservationOut(
        period=pd.Timestamp(record["period"]).date(),
        value=float(record["value"]),
        **extra,
    )


@router.get("/assessments", response_model=Page[AssessmentOut])
def assessments(
    db: Db,
    user: Viewer,
    material: MaterialFilter = None,
    start: date | None = None,
    end: date | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[AssessmentOut]:
    """Stored assessments with their indicator rows, newest first."""
    query = select(Assessment)
    if material is not None:
        query = query.where(Assessment.material_id == material)
    if start is not None:
        query = query.where(Assessment.as_of >= start)
    if end is not None:
        query = query.where(Assessment.as_of <= end)
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.scalars(
        query.options(selectinload(Assessment.indicators))
        .order_by(Assessment.as_of.desc(), Assessment.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return Page.of(AssessmentOut, rows, total=total, limit=limit, offset=offset)
