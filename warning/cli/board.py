"""Board commands: ``materials``, ``evaluate``, ``demo`` and ``backtest``."""

from __future__ import annotations

import secrets
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from feeds.definitions import DefinitionError
from feeds.longformat import FileFormatError
from rules import RuleSetError
from warning import clock
from warning.accounts import Role
from warning.accounts.service import create_token, ensure_user
from warning.cli.output import (
    console,
    fail,
    file_problem,
    parse_date,
    ruleset,
    service_context,
)
from warning.cli.serve import serve_context
from warning.cli.tables import materials_table, print_derivation
from warning.clock import evaluation_date
from warning.context import ServiceContext
from warning.evaluation.board import material_lines
from warning.feeding.derivation import DerivationOutcome
from warning.feeding.feed_runs import load_feed_definitions
from warning.jobs.demo import demo_context, run_demo, with_sinks
from warning.jobs.demo_sinks import Sinks, demo_sinks
from warning.jobs.pipeline import evaluate_and_store
from warning.review.queries import list_items
from warning.review.states import ItemState
from warning.serving import ServeOptions
from warning.store import read_only, transaction

DEMO_OPERATOR = "demo"


def materials(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="show data on or before this date (YYYY-MM-DD)")
    ] = None,
) -> None:
    """List the monitored materials with their series, latest data and current level."""
    context = service_context()
    day = parse_date(as_of)
    with read_only(context.factory) as session:
        lines = material_lines(session, catalog=context.catalog, as_of=day)
    console.print(materials_table(lines))


def evaluate(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="evaluate as of this date (default: today)")
    ] = None,
) -> None:
    """Assess every material now (or as of a date), store the assessments, show the board."""
    context = service_context()
    day = parse_date(as_of) or evaluation_date(context.settings)
    outcome = evaluate_and_store(context, ruleset=ruleset(context), as_of=day, trigger="cli")
    with read_only(context.factory) as session:
        lines = material_lines(session, catalog=context.catalog, as_of=day)
    console.print(
        materials_table(lines, title=f"Board as of {day} (rules {outcome.ruleset_version})")
    )


def demo(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="evaluate as of this date (default: newest sample date)"),
    ] = None,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="stop after the board instead of serving")
    ] = False,
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
) -> None:
    """Run the main job once on embedded defaults: init, load the sample directory and data,
    show the board, deliver the approved warnings to local sinks (var/mail, var/webhooks),
    make a demo operator; then serve the web app and scheduler on 127.0.0.1 until Ctrl-C."""
    context = demo_context(service_context(init=True))
    console.print(f"Store: {context.settings.database_url}")
    with demo_sinks(
        context.settings.var_dir,
        smtp_port=context.settings.demo_smtp_port,
        webhook_port=context.settings.demo_webhook_port,
    ) as sinks:
        _demo_with(with_sinks(context, sinks), sinks, as_of=as_of, no_serve=no_serve, port=port)


def _demo_with(
    context: ServiceContext, sinks: Sinks, *, as_of: str | None, no_serve: bool, port: int
) -> None:
    try:
        result = run_demo(
            context,
            as_of=parse_date(as_of) or context.settings.as_of,
            on_report=lambda report: console.print(
                f"  loaded {Path(report.source).name}: {report.accepted} new, {report.revised} "
                f"revised, {report.unchanged} unchanged, {report.rejected} rejected"
            ),
            sinks=sinks,
        )
    except FileFormatError as error:
        raise fail(file_problem(error)) from None
    except RuleSetError as error:
        raise fail(error) from None
    _print_derived_total(result.derivation)
    console.print(materials_table(list(result.lines), title=f"Board as of {result.as_of}"))
    if result.stale:
        console.print(f"Stale series on {result.as_of} (shown as missing data, not as normal):")
        for item, staleness in result.stale:
            console.print(f"  {item.series_id} ({item.frequency}): {staleness.reason}")
    if result.derivation.failures:
        raise typer.Exit(1)
    _print_queue(context)
    if result.directory is not None and result.directory.outcome is not None:
        outcome = result.directory.outcome
        console.print(
            f"Directory: {outcome.enterprises} enterprises, {outcome.contacts} contacts "
            f"(sample, fictional); alerts delivered: {result.delivered.get('sent', 0)} sent, "
            f"{result.delivered.get('retrying', 0)} retrying, {result.delivered.get('dead', 0)} "
            f"dead; see {context.settings.var_dir / 'mail'} and "
            f"{context.settings.var_dir / 'webhooks'}",
        )
    password = secrets.token_urlsafe(12)
    with transaction(context.factory) as session:
        ensure_user(
            session,
            name=DEMO_OPERATOR,
            role=Role.OPERATOR,
            password=password,
            actor="demo",
            now=clock.now(),
        )
        _token, token = create_token(
            session,
            user_name=DEMO_OPERATOR,
            label="demo",
            expires_days=7,
            actor="demo",
            now=clock.now(),
        )
    url = f"http://127.0.0.1:{port}/"
    console.print(
        f"Demo operator: {DEMO_OPERATOR} / {password}  (API token: {token})\n"
        f"Web app: {url}  API: {url}api/v1/  (curl -H 'Authorization: Bearer {token}' "
        f"{url}api/v1/review-items?state=pending)",
    )
    if no_serve:
        return
    try:
        definitions = load_feed_definitions(context.settings, context.catalog)
    except DefinitionError as error:  # the feeds engine's: not a service error
        raise fail(error) from None
    # the service goes on evaluating as of the demo's date (the sample's newest), not today:
    # the sample ends months ago, and as of today every material would be "no data"
    context = replace(context, settings=context.settings.model_copy(update={"as_of": result.as_of}))
    serve_context(context, definitions, ServeOptions(host="127.0.0.1", port=port))


def _print_queue(context: ServiceContext) -> None:
    """The pending review items the demo's evaluation left for the analysts."""
    with read_only(context.factory) as session:
        items, total = list_items(session, state=ItemState.PENDING)
        lines = [
            f"  #{item.id} {item.material_id}: {item.kind} to {item.level} {item.direction}"
            for item in items
        ]
    console.print(f"Review queue: {total} pending item(s)")
    for line in lines:
        console.print(line)


def _print_derived_total(outcome: DerivationOutcome) -> None:
    """One line for all the series derived while the sample loaded; failures on stderr."""
    reports = outcome.reports
    console.print(
        f"  derived {sum(len(r.stored) for r in reports)} series from their sources: "
        f"{sum(r.accepted for r in reports)} new, {sum(r.revised for r in reports)} revised"
    )
    print_derivation(outcome, quiet=True)
