"""Who has not reported: per form and period, the enterprises that should report it and have
no report yet (overdue once the due day has passed), and those whose report still has a jump
awaiting confirmation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from warning.directory.models import Enterprise
from warning.reporting.forms import Form, Forms, period_start
from warning.reporting.models import Report
from warning.reporting.service import current_values


class Missing(StrEnum):
    NOT_REPORTED = "not_reported"
    TO_CONFIRM = "to_confirm"  # reported, with a jump awaiting confirmation


@dataclass(frozen=True)
class Outstanding:
    """One enterprise's missing report of one form and period."""

    form: str
    period: str
    due: date
    overdue: bool
    days_late: int
    enterprise_id: int
    credit_code: str
    enterprise: str
    region: str
    missing: Missing


def outstanding(
    session: Session,
    *,
    forms: Forms,
    today: date,
    form_id: str | None = None,
    period: str | None = None,
) -> list[Outstanding]:
    """The missing reports of each form's open period (or ``period``: of the forms reported
    by such periods, months or weeks, unless ``form_id`` names one), by form, overdue first,
    then by credit code."""
    chosen_forms = [form for form in forms.forms if form_id is None or form.id == form_id]
    if period is not None and form_id is None:
        period_start(period)  # malformed or out of range: Invalid naming it
        chosen_forms = [form for form in chosen_forms if form.writes_periods_as(period)]
    found: list[Outstanding] = []
    for form in chosen_forms:
        chosen = period or form.open_period(today)
        form.check_period(chosen)
        found.extend(_of_form(session, form, chosen, today))
    return found


def _of_form(session: Session, form: Form, period: str, today: date) -> list[Outstanding]:
    due = form.due_date(period)
    expected = session.scalars(
        select(Enterprise)
        .where(Enterprise.sector.in_(form.sectors), Enterprise.whitelist.is_(True))
        .order_by(Enterprise.credit_code)
    ).all()
    reports = {
        r.enterprise_id: r
        for r in session.scalars(
            select(Report)
            .where(Report.form == form.id, Report.period == period)
            .options(selectinload(Report.values))
        )
    }
    found = []
    for enterprise in expected:
        report = reports.get(enterprise.id)
        if report is None:
            missing = Missing.NOT_REPORTED
        elif any(not row.usable for row in current_values(report).values()):
            missing = Missing.TO_CONFIRM
        else:
            continue
        found.append(
            Outstanding(
                form=form.id,
                period=period,
                due=due,
                overdue=today > due,
                days_late=max((today - due).days, 0),
                enterprise_id=enterprise.id,
                credit_code=enterprise.credit_code,
                enterprise=enterprise.name,
                region=enterprise.region,
                missing=missing,
            )
        )
    return found
