"""Enterprise reporting on the web: ``/report``, a reporter's own form (in Chinese unless it
chose English), its XLSX template to download and upload; ``/report-overdue``, the desk's
list of who has not reported.

A reporter sees only its own enterprise: every ``/report`` page works on the enterprise the
signed-in reporter is tied to, and a reporter is refused every desk page
(:func:`warning.web.auth.visitor`). Submissions go through the same checks as the API's
(:func:`warning.reporting.service.submit`): one refused field or cell refuses the whole
submission and stores nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from warning import clock
from warning.accounts import Role, is_desk
from warning.api.fields import TextQuery
from warning.clock import desk_today
from warning.context import ServiceContext
from warning.directory.models import Enterprise
from warning.errors import Invalid
from warning.jobs.reporting import reporting_forms
from warning.reporting.checks import Entry
from warning.reporting.forms import Form, period_start
from warning.reporting.models import Channel, Reporter
from warning.reporting.overdue import outstanding
from warning.reporting.service import (
    SubmissionRefused,
    current_values,
    forms_for,
    list_reports,
    submit,
)
from warning.reporting.shown import aggregates_for, audit_withheld_read
from warning.reporting.workbook import read_template, template_xlsx
from warning.store import read_only, transaction
from warning.web.auth import RoleRefused, Visitor, check_csrf, visitor
from warning.web.pages import page, serve

router = APIRouter(include_in_schema=False)
XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD: Final = 2 * 2**20
RECENT_PERIODS: Final = 6


def _enterprise(db: Session, person: Visitor) -> Enterprise:
    """The signed-in reporter's enterprise; :class:`RoleRefused` for anyone else."""
    if person.role != Role.REPORTER:
        raise RoleRefused(Role.REPORTER)
    enterprise = db.scalar(
        select(Enterprise)
        .join(Reporter, Reporter.enterprise_id == Enterprise.id)
        .where(Reporter.user_id == person.user_id)
    )
    if enterprise is None:
        raise RoleRefused(Role.REPORTER)
    return enterprise


def _periods(form: Form, today: date) -> list[str]:
    """The open period and the ones before it, newest first."""
    periods = [form.open_period(today)]
    while len(periods) < RECENT_PERIODS:
        periods.append(form.previous(periods[-1]))
    return periods


def _show(
    request: Request,
    db: Session,
    person: Visitor,
    *,
    period: str | None,
    saved: bool = False,
    refused: Mapping[str, str] | None = None,
    sent: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context: ServiceContext = request.app.state.context
    enterprise = _enterprise(db, person)
    today = desk_today(context.settings)
    sheets = []
    for form in forms_for(reporting_forms(context), enterprise):
        periods = _periods(form, today)
        chosen = period if period in periods else periods[0]
        reports, _total = list_reports(db, enterprise_id=enterprise.id, form=form.id, period=chosen)
        latest = current_values(reports[0]) if reports else {}
        sheets.append(
            {
                "form": form,
                "period": chosen,
                "periods": periods,
                "due": form.due_date(chosen),
                "report": reports[0] if reports else None,
                "latest": latest,
                "materials": [
                    (f.material_zh if person.language == "zh" else f.material_en, group)
                    for f, group in _by_material(form)
                ],
            }
        )
    history, _total = list_reports(db, enterprise_id=enterprise.id, limit=24)
    return page(
        request,
        person,
        "report.html",
        section="report",
        status_code=status_code,
        enterprise=enterprise,
        sheets=sheets,
        history=history,
        saved=saved,
        refused=dict(refused or {}),
        sent=dict(sent or {}),
    )


def _by_material(form: Form) -> list[tuple[Any, list[Any]]]:
    groups: dict[str, list[Any]] = {}
    for spec in form.fields:
        groups.setdefault(spec.material, []).append(spec)
    return [(fields[0], fields) for fields in groups.values()]


@router.get("/report")
async def report_page(
    request: Request, period: TextQuery = None, saved: TextQuery = None
) -> Response:
    """A reporter's form for the open period (or ``?period=``), with what it sent so far."""
    return await serve(
        request, lambda db, person: _show(request, db, person, period=period, saved=bool(saved))
    )


@router.post("/report")
async def report_submit(request: Request) -> Response:
    """Submit the form: every value field (``value:<field>``) that is filled in, with the
    jumps the reporter confirms (``confirm``)."""
    context: ServiceContext = request.app.state.context
    form_data = await request.form(max_files=0, max_fields=1000)

    def handle() -> Response:
        form_id, period = str(form_data.get("form", "")), str(form_data.get("period", ""))
        entries, sent, refused = _entries(form_data)
        try:
            with transaction(context.factory) as db:
                person = visitor(request, db)
                check_csrf(form_data, person)
                enterprise = _enterprise(db, person)
                if refused:
                    raise SubmissionRefused("values that are no number", refused)
                submit(
                    db,
                    forms=reporting_forms(context),
                    enterprise=enterprise,
                    form_id=form_id,
                    period=period,
                    entries=entries,
                    confirm=[str(v) for v in form_data.getlist("confirm")],
                    actor=person.name,
                    channel=Channel.WEB,
                    today=desk_today(context.settings),
                    now=clock.now(),
                )
        except SubmissionRefused as error:  # rolled back: nothing stored
            return _refusal(request, context, period, error.fields or {"values": str(error)}, sent)
        return RedirectResponse(f"/report?period={period}&saved=1", status_code=303)

    return await run_in_threadpool(handle)


def _refusal(
    request: Request,
    context: ServiceContext,
    period: str | None,
    refused: Mapping[str, str],
    sent: Mapping[str, str] | None = None,
) -> Response:
    """The form again (422) with what was refused and what was typed."""
    with transaction(context.factory) as db:
        person = visitor(request, db)
        return _show(
            request, db, person, period=period, refused=refused, sent=sent, status_code=422
        )


def _entries(form: FormData) -> tuple[dict[str, Entry], dict[str, str], dict[str, str]]:
    """The filled-in values of a posted form, what was typed, and those that are no number."""
    entries: dict[str, Entry] = {}
    sent: dict[str, str] = {}
    refused: dict[str, str] = {}
    for key, raw in form.multi_items():
        if not key.startswith("value:") or not isinstance(raw, str) or not raw.strip():
            continue
        field = key.removeprefix("value:")[:64]
        sent[field] = raw[:64]
        try:
            entries[field] = Entry(float(raw.strip().replace(",", "")))
        except ValueError:
            refused[field] = f"{raw[:40]!r} is not a number"
    return entries, sent, refused


@router.get("/report/template.xlsx")
def template(request: Request, form: TextQuery = None, period: TextQuery = None) -> Response:
    """The XLSX template of one of the reporter's forms for a period, with what it sent."""
    context: ServiceContext = request.app.state.context
    with read_only(context.factory) as db:
        person = visitor(request, db)
        enterprise = _enterprise(db, person)
        if form is None or period is None:
            return Response("template.xlsx?form=FORM&period=PERIOD", status_code=422)
        chosen = next(
            (f for f in forms_for(reporting_forms(context), enterprise) if f.id == form), None
        )
        if chosen is None:
            return Response(f"no form {form} of this enterprise", status_code=404)
        try:
            chosen.check_period(period)
        except Invalid as error:
            return Response(str(error), status_code=422)
        reports, _total = list_reports(db, enterprise_id=enterprise.id, form=form, period=period)
        values = {f: row.value for f, row in current_values(reports[0]).items()} if reports else {}
        data = template_xlsx(
            chosen, period=period, credit_code=enterprise.credit_code, values=values
        )
    name = f"{form}-{period}.xlsx"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(data, media_type=XLSX, headers=headers)


@router.post("/report/upload")
async def upload(request: Request) -> Response:
    """A filled-in template: read cell by cell; a refused cell refuses the whole file and
    stores nothing."""
    context: ServiceContext = request.app.state.context
    declared = request.headers.get("content-length", "0")
    if not declared.isdigit() or int(declared) > MAX_UPLOAD + 64 * 1024:
        return Response(f"uploads are at most {MAX_UPLOAD // 2**20} MiB", status_code=413)
    form_data = await request.form(max_files=1, max_fields=8)
    upload_file = form_data.get("file")
    data = await upload_file.read(MAX_UPLOAD + 1) if isinstance(upload_file, UploadFile) else b""

    def handle() -> Response:
        cells: dict[str, str] = {}
        try:
            with transaction(context.factory) as db:
                person = visitor(request, db)
                check_csrf(form_data, person)
                enterprise = _enterprise(db, person)
                forms = forms_for(reporting_forms(context), enterprise)
                chosen = next((f for f in forms if f.id == form_data.get("form")), None)
                if chosen is None or not data or len(data) > MAX_UPLOAD:
                    problem = "choose the filled-in XLSX template of your form (at most 2 MiB)"
                    raise SubmissionRefused(problem, {"file": problem})
                filled = read_template(
                    data, form=chosen, max_unpacked=context.settings.max_unpacked_bytes
                )
                cells = filled.cells
                refused = dict(filled.refused)
                if not refused and filled.enterprise != enterprise.credit_code:
                    refused["B3"] = f"the template of {filled.enterprise or '(empty)'}, not yours"
                if refused:
                    raise SubmissionRefused("cells refused", refused)
                cells["period"], cells["form"] = "B2", "B1"
                submit(
                    db,
                    forms=reporting_forms(context),
                    enterprise=enterprise,
                    form_id=chosen.id,
                    period=filled.period,
                    entries=filled.entries,
                    actor=person.name,
                    channel=Channel.XLSX,
                    today=desk_today(context.settings),
                    now=clock.now(),
                )
        except SubmissionRefused as error:  # rolled back: nothing stored
            by_cell = {cells.get(key, key): why for key, why in error.fields.items()}
            return _refusal(request, context, None, by_cell)
        return RedirectResponse(f"/report?period={filled.period}&saved=1", status_code=303)

    return await run_in_threadpool(handle)


@router.get("/report-overdue")
async def overdue_page(
    request: Request, form: TextQuery = None, period: TextQuery = None
) -> Response:
    """The desk's list of who has not reported each form's open period (or ``period``)."""
    context: ServiceContext = request.app.state.context

    def show(db: Session, person: Visitor) -> Response:
        forms = reporting_forms(context)
        try:
            rows = outstanding(
                db, forms=forms, today=desk_today(context.settings), form_id=form, period=period
            )
            problem = None
        except Invalid as error:
            rows, problem = [], str(error)
        return page(
            request,
            person,
            "report_overdue.html",
            section="report-overdue",
            status_code=422 if problem else 200,
            rows=rows,
            forms=forms.forms,
            chosen_form=form,
            chosen_period=period,
            problem=problem,
        )

    return await serve(request, show)


@router.get("/report-aggregates")
async def aggregates_page(
    request: Request, material: TextQuery = None, period: TextQuery = None
) -> Response:
    """The reported figures summed per material and period with their coverage: whole for
    the desk (its read of fewer than three enterprises audited), the shareable part for
    viewers."""
    context: ServiceContext = request.app.state.context

    def show(db: Session, person: Visitor) -> Response:
        forms = reporting_forms(context)
        desk = is_desk(person.role)
        rows = aggregates_for(
            db,
            forms=forms,
            min_coverage=context.settings.reporting_min_coverage,
            desk=desk,
            material=material,
            period=period,
        )
        audit_withheld_read(db, rows, actor=person.name, now=clock.now())
        fields = {field.id: field for form in forms.forms for field in form.fields}
        return page(
            request,
            person,
            "report_aggregates.html",
            section="report-aggregates",
            rows=sorted(rows, key=lambda a: (-period_start(a.period).toordinal(), a.material)),
            fields=fields,
            desk=desk,
            materials=sorted({f.material for f in fields.values() if f.aggregate is not None}),
            chosen_material=material,
            chosen_period=period,
            min_coverage=context.settings.reporting_min_coverage,
        )

    return await serve(request, show)
