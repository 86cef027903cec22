"""``warning reports``: enterprise reporting from a terminal: who has not reported, the
aggregates stored as supply series, the reminders queued."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from warning.cli.output import console, fail, service_context
from warning.clock import desk_today
from warning.errors import Invalid
from warning.jobs.reminders import queue_reminders
from warning.jobs.reporting import aggregate_reports, reporting_forms
from warning.reporting.overdue import outstanding
from warning.store import read_only

reports_app = typer.Typer(
    help="Enterprise reporting: overdue list, aggregates, reminders.", no_args_is_help=True
)


@reports_app.command("overdue")
def overdue(
    form: Annotated[str | None, typer.Option("--form", help="one form, e.g. ferrous")] = None,
    period: Annotated[
        str | None, typer.Option("--period", help="a period (default: each form's open one)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
) -> None:
    """The enterprises that have not reported (or have a jump to confirm), per form and
    period, overdue first."""
    context = service_context()
    forms = reporting_forms(context)
    if form is not None and forms.get(form) is None:
        raise fail(f"--form {form!r}: no such form ({', '.join(f.id for f in forms.forms)})")
    try:
        with read_only(context.factory) as session:
            rows = outstanding(
                session,
                forms=forms,
                today=desk_today(context.settings),
                form_id=form,
                period=period,
            )
    except Invalid as error:
        raise fail(f"--period: {error}") from None
    if as_json:
        for row in rows:
            typer.echo(json.dumps(asdict(row), ensure_ascii=False, default=str))
        return
    table = Table(title=f"Not reported: {len(rows)}")
    for header in ("form", "period", "due", "late days", "credit code", "enterprise", "missing"):
        table.add_column(header)
    for row in rows:
        table.add_row(
            row.form,
            row.period,
            row.due.isoformat(),
            str(row.days_late),
            row.credit_code,
            row.enterprise,
            str(row.missing),
        )
    console.print(table)


@reports_app.command("aggregate")
def aggregate(
    no_evaluate: Annotated[
        bool, typer.Option("--no-evaluate", help="store the aggregates without evaluating")
    ] = False,
) -> None:
    """Sum the reports per material and period, store those with enough coverage as the
    series reported_<field>, then derive and evaluate."""
    context = service_context()
    outcome = aggregate_reports(context, evaluate=not no_evaluate)
    stored = outcome.stored
    console.print(
        f"{len(outcome.computed)} aggregates computed, {outcome.counted} with enough coverage; "
        f"{stored.accepted} values new, {stored.revised} revised, {stored.unchanged} unchanged"
    )


@reports_app.command("remind")
def remind(
    day: Annotated[
        str | None, typer.Option("--date", help="the day to remind for (default: today)")
    ] = None,
) -> None:
    """Queue the reporting reminders due today (each once per contact, period and stage)."""
    context = service_context()
    try:
        today = date.fromisoformat(day) if day else desk_today(context.settings)
    except ValueError:
        raise fail(f"--date {day!r}: expected a date like 2026-12-08") from None
    outcome = queue_reminders(context, today=today)
    console.print(f"{outcome.queued} reminders queued, {outcome.already} queued before")
