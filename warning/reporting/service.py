"""Submitting and reading reports.

A submission is checked whole (:mod:`warning.reporting.checks`): one refused field refuses it
all, naming each refused field, and stores nothing. An accepted one stores each value that
changed as a new revision of its field (revision 1 is the first value, never overwritten);
a value sent after the period's due date is marked late. A jump against the enterprise's own
history is stored but not used until confirmed: the answer asks about it, and the reporter
sends it again with the field in ``confirm``, or corrects it.

Who may read what is the caller's check (the API's and the pages'): a reporter only its own
enterprise's reports; the desk all of them, each read of an enterprise's figures audited
(:func:`record_desk_read`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from warning.audit import record
from warning.directory.models import Enterprise
from warning.errors import Invalid, NotFound, Refused
from warning.reporting.checks import Entry, Question, check_values
from warning.reporting.forms import Form, Forms, period_start
from warning.reporting.models import Channel, Report, ReportValue


class SubmissionRefused(Invalid):
    """Fields of a submission that cannot be accepted, each with why; nothing was stored."""

    def __init__(self, message: str, fields: Mapping[str, str]) -> None:
        super().__init__(message)
        self.fields = dict(fields)

    def answer(self) -> dict[str, object]:
        return {"detail": str(self), "fields": self.fields}


class ReportNotFound(NotFound):
    """No such report (or not one the caller may see)."""


@dataclass(frozen=True)
class Submission:
    """A stored report and the questions its new values raise (jumps to confirm)."""

    report: Report
    questions: tuple[Question, ...]
    changed: int


def forms_for(forms: Forms, enterprise: Enterprise) -> tuple[Form, ...]:
    """The forms ``enterprise`` reports: those of its sector (none when not on the whitelist)."""
    return forms.for_sector(enterprise.sector) if enterprise.whitelist else ()


def submit(
    session: Session,
    *,
    forms: Forms,
    enterprise: Enterprise,
    form_id: str,
    period: str,
    entries: Mapping[str, Entry],
    confirm: Collection[str] = (),
    actor: str,
    channel: Channel,
    today: date,
    now: datetime,
) -> Submission:
    """Check and store one submission; :class:`SubmissionRefused` naming each refused field."""
    form = _form_of(forms, enterprise, form_id)
    _check_period(form, period, today)
    report = session.scalar(
        select(Report)
        .where(
            Report.enterprise_id == enterprise.id, Report.form == form.id, Report.period == period
        )
        .options(selectinload(Report.values))
        .with_for_update()
    )
    latest = current_values(report) if report is not None else {}
    checked = check_values(
        form,
        entries,
        current={field: row.value for field, row in latest.items()},
        history=_history(session, enterprise_id=enterprise.id, form=form, period=period),
    )
    refused = dict(checked.refused)
    for field in confirm:
        if form.field(field) is None:
            refused[field] = f"confirm: not a field of form {form.id}"
        elif field not in latest and field not in checked.values:
            refused[field] = "confirm: no value of this field to confirm"
    if refused:
        raise SubmissionRefused(
            f"report {form.id} {period} of {enterprise.credit_code}: "
            f"{len(refused)} field(s) refused, nothing stored",
            refused,
        )
    if report is None:
        report = _new_report(session, enterprise, form, period, now)
    late = today > form.due_date(period)
    stored: set[str] = set()
    for field, value in checked.values.items():
        previous = latest.get(field)
        if previous is not None and previous.value == value:
            continue
        question = checked.jumps.get(field)
        report.values.append(
            ReportValue(
                field=field,
                revision=previous.revision + 1 if previous is not None else 1,
                value=value,
                entered_at=now,
                entered_by=actor,
                channel=channel,
                late=late,
                jump=question is not None,
                reference=question.reference if question is not None else None,
                confirmed_at=now if question is not None and field in confirm else None,
            )
        )
        stored.add(field)
    confirmed = 0
    for field in set(confirm) - stored:  # confirming the value already stored
        previous = latest[field]
        if previous.jump and previous.confirmed_at is None:
            previous.confirmed_at = now
            confirmed += 1
    changed = len(stored) + confirmed
    if changed:
        report.revision += 1
        report.updated_at = now
        record(
            session,
            at=now,
            actor=actor,
            action="report_submitted",
            subject=f"report:{report.id}",
            after={
                "enterprise": enterprise.credit_code,
                "form": form.id,
                "period": period,
                "revision": report.revision,
                "channel": str(channel),
                "fields": sorted(checked.values),
                "confirmed": sorted(confirm),
            },
        )
    session.flush()
    questions = tuple(
        question
        for field, question in sorted(checked.jumps.items())
        if field not in confirm and not _confirmed(report, field)
    )
    return Submission(report, questions, changed)


def _new_report(
    session: Session, enterprise: Enterprise, form: Form, period: str, now: datetime
) -> Report:
    """A new report row; :class:`Refused` when another submission made it meanwhile (the
    unique key holds: the caller sends again and becomes a revision)."""
    report = Report(
        enterprise_id=enterprise.id,
        form=form.id,
        period=period,
        submitted_at=now,
        updated_at=now,
        revision=0,
        values=[],
    )
    try:
        with session.begin_nested():
            session.add(report)
            session.flush()
    except IntegrityError:
        raise Refused(
            f"report {form.id} {period} of {enterprise.credit_code} was submitted by someone "
            "else meanwhile; send it again"
        ) from None
    return report


def _confirmed(report: Report, field: str) -> bool:
    row = current_values(report).get(field)
    return row is not None and row.usable


def _form_of(forms: Forms, enterprise: Enterprise, form_id: str) -> Form:
    form = forms.get(form_id)
    if form is None or form not in forms_for(forms, enterprise):
        names = ", ".join(f.id for f in forms_for(forms, enterprise)) or "none"
        raise SubmissionRefused(
            f"form {form_id!r}: not a form {enterprise.credit_code} reports (its forms: {names})",
            {"form": "not a form of this enterprise"},
        )
    return form


def _check_period(form: Form, period: str, today: date) -> None:
    try:
        form.check_period(period)
    except Invalid as error:
        raise SubmissionRefused(str(error), {"period": str(error)}) from None
    open_period = form.open_period(today)
    if period_start(period) > period_start(open_period):
        problem = f"period {period} has not ended; the open period is {open_period}"
        raise SubmissionRefused(problem, {"period": problem})


def current_values(report: Report) -> dict[str, ReportValue]:
    """Each field's latest revision."""
    latest: dict[str, ReportValue] = {}
    for row in report.values:
        if row.field not in latest or row.revision > latest[row.field].revision:
            latest[row.field] = row
    return latest


def first_values(report: Report) -> dict[str, float]:
    """Each field's first value (revision 1)."""
    return {row.field: row.value for row in report.values if row.revision == 1}


def _history(
    session: Session, *, enterprise_id: int, form: Form, period: str
) -> dict[str, list[float]]:
    """Each field's usable values of the enterprise's earlier periods of ``form``, oldest
    first (one per period: its latest revision)."""
    reports = session.scalars(
        select(Report)
        .where(
            Report.enterprise_id == enterprise_id,
            Report.form == form.id,
            Report.period < period,
        )
        .order_by(Report.period.desc())
        .limit(12)
        .options(selectinload(Report.values))
    ).all()
    history: dict[str, list[float]] = {}
    for report in reversed(reports):
        for field, row in current_values(report).items():
            if row.usable:
                history.setdefault(field, []).append(row.value)
    return history


def list_reports(
    session: Session,
    *,
    enterprise_id: int | None = None,
    form: str | None = None,
    period: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[Sequence[Report], int]:
    """Reports, newest period first (of one enterprise, form, period when given) and how
    many there are in all."""
    query = select(Report)
    if enterprise_id is not None:
        query = query.where(Report.enterprise_id == enterprise_id)
    if form is not None:
        query = query.where(Report.form == form)
    if period is not None:
        query = query.where(Report.period == period)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.options(selectinload(Report.values))
        .order_by(Report.period.desc(), Report.form, Report.enterprise_id)
        .limit(limit)
        .offset(offset)
    ).all()
    return rows, total


def get_report(session: Session, *, report_id: int, enterprise_id: int | None = None) -> Report:
    """One report; :class:`ReportNotFound` when there is none or (``enterprise_id`` given) it
    is another enterprise's: the same answer, so a reporter learns nothing of others."""
    report = session.get(Report, report_id, options=[selectinload(Report.values)])
    if report is None or (enterprise_id is not None and report.enterprise_id != enterprise_id):
        raise ReportNotFound(f"no report {report_id}")
    return report


def record_desk_read(
    session: Session, *, actor: str, reports: Sequence[Report], what: str, now: datetime
) -> None:
    """Audit the desk's read of enterprises' figures: one entry naming the reports read."""
    if not reports:
        return
    codes: dict[int, str] = {
        enterprise_id: code
        for enterprise_id, code in session.execute(
            select(Enterprise.id, Enterprise.credit_code).where(
                Enterprise.id.in_({r.enterprise_id for r in reports})
            )
        )
    }
    record(
        session,
        at=now,
        actor=actor,
        action="reports_read",
        subject=what[:128],
        after={
            "reports": [r.id for r in reports],
            "enterprises": sorted({codes[r.enterprise_id] for r in reports}),
        },
    )
