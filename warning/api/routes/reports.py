"""Enterprise reporting: the forms a caller may submit, submitting, and reading reports.

A reporter submits and reads only its own enterprise's reports: another enterprise's report
is a 404, as if it did not exist. The desk (operators, admins) reads every enterprise's, and
each such read is in the audit log, written before the figures are answered. A viewer is
refused: enterprises' own figures are not for every reader of the board.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from warning import clock
from warning.accounts import User, is_desk
from warning.api.deps import Context, Db, ReporterOrDesk
from warning.api.fields import Limit, Line, Offset, RowId, TextQuery
from warning.api.schemas import REFUSED_INPUT, Page
from warning.clock import desk_today
from warning.context import ServiceContext
from warning.directory.models import Enterprise
from warning.jobs.reporting import reporting_forms
from warning.reporting.checks import Entry, Question
from warning.reporting.forms import Form
from warning.reporting.models import Channel, Report
from warning.reporting.reporters import enterprise_by_code, enterprise_of
from warning.reporting.service import (
    ReportNotFound,
    SubmissionRefused,
    current_values,
    first_values,
    forms_for,
    get_report,
    list_reports,
    record_desk_read,
    submit,
)
from warning.store import transaction

router = APIRouter(tags=["reporting"])
MAX_FIELDS = 500

FieldId = Annotated[Line, Field(max_length=64)]


class FormFieldOut(BaseModel):
    id: str
    material: str
    measure: str
    name_zh: str
    name_en: str
    label_zh: str  # the material's name and the measure's
    label_en: str
    unit: str
    min: float | None
    max: float | None
    total_of: list[str]


class FormOut(BaseModel):
    id: str
    name_zh: str
    name_en: str
    frequency: str
    period: str  # the open period: the last one that has ended
    due: date
    fields: list[FormFieldOut]

    @classmethod
    def of(cls, form: Form, today: date) -> FormOut:
        period = form.open_period(today)
        return cls(
            id=form.id,
            name_zh=form.name_zh,
            name_en=form.name_en,
            frequency=str(form.frequency),
            period=period,
            due=form.due_date(period),
            fields=[
                FormFieldOut(
                    id=f.id,
                    material=f.material,
                    measure=f.measure,
                    name_zh=f.name_zh,
                    name_en=f.name_en,
                    label_zh=f.label_zh,
                    label_en=f.label_en,
                    unit=f.unit,
                    min=f.min,
                    max=f.max,
                    total_of=list(f.total_of),
                )
                for f in form.fields
            ],
        )


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    form: Line = Field(max_length=32)
    period: Line = Field(max_length=10)
    values: dict[FieldId, Any] = Field(max_length=MAX_FIELDS)
    units: dict[FieldId, Annotated[Line, Field(max_length=32)]] = Field(
        default_factory=dict, max_length=MAX_FIELDS
    )
    confirm: list[FieldId] = Field(default_factory=list, max_length=MAX_FIELDS)
    enterprise: Line | None = Field(default=None, max_length=18)  # the desk submits for one


class ValueOut(BaseModel):
    id: str
    value: float
    first_value: float
    revision: int
    late: bool
    jump: bool
    reference: float | None
    awaiting_confirmation: bool
    entered_at: datetime
    entered_by: str
    channel: str


class QuestionOut(BaseModel):
    field: str
    value: float
    reference: float
    change: float
    message: str

    @classmethod
    def of(cls, question: Question) -> QuestionOut:
        return cls(
            field=question.field,
            value=question.value,
            reference=question.reference,
            change=round(question.change, 4),
            message=(
                f"{question.field}: {question.value:.6g} is {question.change:+.0%} from your "
                f"recent median {question.reference:.6g}; send it again with the field in "
                "confirm, or correct it"
            ),
        )


class ReportOut(BaseModel):
    id: int
    enterprise: str
    enterprise_name: str
    form: str
    period: str
    revision: int
    submitted_at: datetime
    updated_at: datetime
    values: dict[str, float]
    fields: list[ValueOut]
    questions: list[QuestionOut] = []

    @classmethod
    def of(
        cls, report: Report, enterprise: Enterprise, questions: tuple[Question, ...] = ()
    ) -> ReportOut:
        latest = current_values(report)
        first = first_values(report)
        return cls(
            id=report.id,
            enterprise=enterprise.credit_code,
            enterprise_name=enterprise.name,
            form=report.form,
            period=report.period,
            revision=report.revision,
            submitted_at=report.submitted_at,
            updated_at=report.updated_at,
            values={field: row.value for field, row in sorted(latest.items())},
            fields=[
                ValueOut(
                    id=field,
                    value=row.value,
                    first_value=first.get(field, row.value),
                    revision=row.revision,
                    late=row.late,
                    jump=row.jump,
                    reference=row.reference,
                    awaiting_confirmation=not row.usable,
                    entered_at=row.entered_at,
                    entered_by=row.entered_by,
                    channel=str(row.channel),
                )
                for field, row in sorted(latest.items())
            ],
            questions=[QuestionOut.of(q) for q in questions],
        )


def _own_enterprise(db: Db, user: User) -> Enterprise:
    """A reporter's enterprise; 403 for a reporter made without one."""
    enterprise = enterprise_of(db, user=user)
    if enterprise is None:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"{user.name} reports for no enterprise of the directory"
        )
    return enterprise


@router.get("/report-forms", response_model=list[FormOut], responses=REFUSED_INPUT)
def report_forms(
    db: Db, context: Context, user: ReporterOrDesk, enterprise: TextQuery = None
) -> list[FormOut]:
    """The forms the caller may submit, each with its open period and fields: a reporter's
    enterprise's; for the desk every form (or one enterprise's, ``?enterprise=CODE``)."""
    forms = reporting_forms(context)
    today = desk_today(context.settings)
    if not is_desk(user.role):
        chosen = forms_for(forms, _own_enterprise(db, user))
    elif enterprise is not None:
        chosen = forms_for(forms, enterprise_by_code(db, credit_code=enterprise))
    else:
        chosen = forms.forms
    return [FormOut.of(form, today) for form in chosen]


@router.post(
    "/reports",
    response_model=ReportOut,
    status_code=status.HTTP_201_CREATED,
    responses=REFUSED_INPUT,
)
def submit_report(
    body: Annotated[ReportIn, Body()], db: Db, context: Context, user: ReporterOrDesk
) -> ReportOut:
    """Submit (or correct) a report; 422 naming each refused field, nothing stored. Jumps
    against the enterprise's history are stored and listed in ``questions``."""
    if is_desk(user.role):
        if body.enterprise is None:
            raise SubmissionRefused(
                "the desk submits for an enterprise: give its credit code in enterprise",
                {"enterprise": "required when the desk submits"},
            )
        enterprise = enterprise_by_code(db, credit_code=body.enterprise)
    else:
        enterprise = _own_enterprise(db, user)
        if body.enterprise is not None and body.enterprise != enterprise.credit_code:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"{user.name} reports only for {enterprise.credit_code}",
            )
    entries = {field: Entry(value, body.units.get(field)) for field, value in body.values.items()}
    done = submit(
        db,
        forms=reporting_forms(context),
        enterprise=enterprise,
        form_id=body.form,
        period=body.period,
        entries=entries,
        confirm=body.confirm,
        actor=user.name,
        channel=Channel.API,
        today=desk_today(context.settings),
        now=clock.now(),
    )
    return ReportOut.of(done.report, enterprise, done.questions)


@router.get("/reports", response_model=Page[ReportOut], responses=REFUSED_INPUT)
def reports(
    db: Db,
    context: Context,
    user: ReporterOrDesk,
    enterprise: TextQuery = None,
    form: TextQuery = None,
    period: TextQuery = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[ReportOut]:
    """Reports, newest period first: a reporter's own enterprise's; the desk's of every
    enterprise (``?enterprise=CODE`` for one), the read audited."""
    if is_desk(user.role):
        enterprise_id = (
            enterprise_by_code(db, credit_code=enterprise).id if enterprise is not None else None
        )
    else:
        own = _own_enterprise(db, user)
        if enterprise is not None and enterprise != own.credit_code:
            return Page.of(ReportOut, [], total=0, limit=limit, offset=offset)
        enterprise_id = own.id
    rows, total = list_reports(
        db, enterprise_id=enterprise_id, form=form, period=period, limit=limit, offset=offset
    )
    if is_desk(user.role):
        _audit_read(context, user, rows, what="reports")
    enterprises = {
        e.id: e
        for e in db.scalars(
            select(Enterprise).where(Enterprise.id.in_({r.enterprise_id for r in rows}))
        )
    }
    items = [ReportOut.of(r, enterprises[r.enterprise_id]) for r in rows]
    return Page[ReportOut](items=items, total=total, limit=limit, offset=offset)


@router.get("/reports/{report_id}", response_model=ReportOut, responses=REFUSED_INPUT)
def report(report_id: RowId, db: Db, context: Context, user: ReporterOrDesk) -> ReportOut:
    """One report; 404 for another enterprise's (a reporter learns nothing of others)."""
    own = None if is_desk(user.role) else _own_enterprise(db, user).id
    found = get_report(db, report_id=report_id, enterprise_id=own)
    if is_desk(user.role):
        _audit_read(context, user, [found], what=f"report:{found.id}")
    enterprise = db.get(Enterprise, found.enterprise_id)
    if enterprise is None:  # the foreign key keeps it
        raise ReportNotFound(f"no report {report_id}")
    return ReportOut.of(found, enterprise)


def _audit_read(context: ServiceContext, user: User, rows: Sequence[Report], *, what: str) -> None:
    """The desk's read in the audit log, committed before the figures are answered (a GET's
    own session writes nothing)."""
    with transaction(context.factory) as writer:
        record_desk_read(writer, actor=user.name, reports=rows, what=what, now=clock.now())
