"""Enterprise reporting for the desk: who has not reported, and the aggregates per material.

An aggregate of fewer than three reporting enterprises could give one enterprise's figure
away: only operators and admins see it, and their read of such aggregates is audited (as any
read of an enterprise's figures by the desk); viewers get the others, without their sums and
like-for-like changes (:mod:`warning.reporting.aggregation`).
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel

from warning import clock
from warning.accounts import is_desk
from warning.api.deps import Context, Db, Viewer
from warning.api.fields import Limit, Offset, TextQuery
from warning.api.schemas import REFUSED_INPUT, Page
from warning.clock import desk_today
from warning.jobs.reporting import reporting_forms
from warning.reporting.overdue import outstanding
from warning.reporting.shown import aggregates_for, audit_withheld_read
from warning.store import transaction

router = APIRouter(tags=["reporting"])


class OutstandingOut(BaseModel):
    form: str
    period: str
    due: date
    overdue: bool
    days_late: int
    credit_code: str
    enterprise: str
    region: str
    missing: str


class AggregateOut(BaseModel):
    form: str
    field: str
    series_id: str
    material: str
    indicator: str
    unit: str
    period: str
    total: float | None  # the desk's only
    reporters: int
    expected: int
    coverage: float
    capacity_share: float | None
    common: int | None  # the desk's only
    change: float | None
    level: float | None
    status: str


@router.get("/report-overdue", response_model=Page[OutstandingOut], responses=REFUSED_INPUT)
def report_overdue(
    db: Db,
    context: Context,
    user: Viewer,
    form: TextQuery = None,
    period: TextQuery = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[OutstandingOut]:
    """The enterprises that have not reported each form's open period (or ``period``), or
    have a jump to confirm; by form, then credit code."""
    rows = outstanding(
        db,
        forms=reporting_forms(context),
        today=desk_today(context.settings),
        form_id=form,
        period=period,
    )
    shown = [OutstandingOut.model_validate(row, from_attributes=True) for row in rows]
    return Page[OutstandingOut](
        items=shown[offset : offset + limit], total=len(shown), limit=limit, offset=offset
    )


@router.get("/report-aggregates", response_model=Page[AggregateOut], responses=REFUSED_INPUT)
def report_aggregates(
    db: Db,
    context: Context,
    user: Viewer,
    material: TextQuery = None,
    period: TextQuery = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[AggregateOut]:
    """The reported aggregates per field and period with their coverage; those of fewer
    than three enterprises, and every sum and like-for-like change, only for operators and
    admins."""
    found = aggregates_for(
        db,
        forms=reporting_forms(context),
        min_coverage=context.settings.reporting_min_coverage,
        desk=is_desk(user.role),
        material=material,
        period=period,
    )
    shown = [
        AggregateOut(series_id=a.series_id, **{**a.__dict__, "status": str(a.status)})
        for a in found
    ][offset : offset + limit]
    window = found[offset : offset + limit]
    with transaction(context.factory) as writer:  # the desk's read of few enterprises
        audit_withheld_read(writer, window, actor=user.name, now=clock.now())
    return Page[AggregateOut](items=shown, total=len(found), limit=limit, offset=offset)
