"""The ``warning`` command line."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from feeds.longformat import FileFormatError
from rules import RuleSet, RuleSetError
from warning.backtest import BacktestInputError, run_backtest
from warning.board import MaterialLine, material_lines
from warning.catalog import Catalog, CatalogError, load_catalog
from warning.cli_feeds import feeds_app, ingest, print_derivation, series, serve
from warning.clock import desk_today, evaluation_date
from warning.context import ServiceContext, initialise, open_context
from warning.db import StoreError
from warning.demo import DemoError, run_demo
from warning.derived import DerivationOutcome, NotDerivedError, derive_from_history
from warning.evaluation import (
    derive_and_evaluate,
    evaluate_after_ingest,
    evaluate_store,
    level_counts,
    load_ruleset,
)
from warning.ingest import IngestReport, ingest_file
from warning.settings import Settings, SettingsError, get_settings

app = typer.Typer(
    help="Raw-material supply-demand early warning: feeds, rules, review and alerts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console(width=None if sys.stdout.isatty() else 200)
errors = Console(stderr=True, width=None if sys.stderr.isatty() else 200)


def _settings() -> Settings:
    try:
        return get_settings()
    except SettingsError as error:
        errors.print(f"[bold red]error:[/] {error}", highlight=False)
        raise typer.Exit(2) from None


def _context(*, init: bool = False) -> ServiceContext:
    settings = _settings()
    try:
        return initialise(settings) if init else open_context(settings)
    except (CatalogError, StoreError) as error:
        errors.print(f"[bold red]error:[/] {error}", highlight=False)
        raise typer.Exit(2) from None


@app.command()
def init() -> None:
    """Run database migrations and load the material catalog."""
    context = _context(init=True)
    console.print(
        f"Database ready at {context.settings.database_url}; "
        f"catalog {context.catalog.path} loaded with {len(context.catalog.materials)} materials."
    )


@app.command()
def materials(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="show data on or before this date (YYYY-MM-DD)")
    ] = None,
) -> None:
    """List the monitored materials with their series, latest data and current level."""
    context = _context()
    with context.factory() as session:
        lines = material_lines(session, context.catalog, as_of=_parse_date(as_of))
    console.print(materials_table(lines))


@app.command("ingest-file")
def ingest_file_command(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX file in the long format")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Load observations from a long-format CSV or XLSX file.

    Columns: series_id,material,indicator,frequency,period,value,unit (UTF-8, header row).
    """
    context = _context()
    ruleset = _ruleset(context)
    try:
        report = ingest_file(context.factory, file, today=desk_today(context.settings))
    except FileFormatError as error:
        errors.print(f"[bold red]error:[/] {error}", highlight=False)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        print_report(report)
    follow_up = derive_and_evaluate(
        context, ruleset=ruleset, stored=report.stored, trigger="ingest-file"
    )
    print_derivation(follow_up.derivation, quiet=as_json)
    if follow_up.evaluation is not None and not as_json:
        console.print(
            f"Evaluated as of {follow_up.evaluation.as_of}: {level_counts(follow_up.evaluation)}"
        )
    if follow_up.derivation.failures:
        raise typer.Exit(1)


@app.command()
def derive(
    series_id: Annotated[
        str | None, typer.Option("--series", help="only this derived series (and its siblings)")
    ] = None,
) -> None:
    """Recompute derived series from their sources' whole history, then re-evaluate.

    For repair after a failed derivation (``warning feeds status`` names it). Every derived
    series by default; with --series, those derived from the same source as that one. Values
    that change are stored as revisions; exit 1 if a derivation failed.
    """
    context = _context()
    ruleset = _ruleset(context)
    try:
        outcome = derive_from_history(context.factory, series_id=series_id)
    except NotDerivedError as error:
        errors.print(f"[bold red]error:[/] {error}", highlight=False)
        raise typer.Exit(2) from None
    for report in outcome.reports:
        if report.accepted + report.revised + report.unchanged:
            console.print(
                f"derived from {report.source}: {report.accepted} new, {report.revised} "
                f"revised, {report.unchanged} unchanged",
                highlight=False,
            )
    print_derivation(outcome, quiet=True)
    evaluation = evaluate_after_ingest(
        context, ruleset=ruleset, changed=outcome.changed > 0, trigger="derive"
    )
    if evaluation is not None:
        console.print(f"Evaluated as of {evaluation.as_of}: {level_counts(evaluation)}")
    if outcome.failures:
        raise typer.Exit(1)


@app.command()
def demo(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="evaluate as of this date (default: newest sample date)"),
    ] = None,
) -> None:
    """Run the main job once on embedded defaults: init, load the sample, show the board."""
    context = _context(init=True)
    console.print(f"Store: {context.settings.database_url}", highlight=False)
    try:
        result = run_demo(
            context,
            as_of=_parse_date(as_of) or context.settings.as_of,
            on_report=lambda report: console.print(
                f"  loaded {Path(report.source).name}: {report.accepted} new, {report.revised} "
                f"revised, {report.unchanged} unchanged, {report.rejected} rejected",
                highlight=False,
            ),
        )
    except (FileFormatError, RuleSetError, DemoError) as error:
        errors.print(f"[bold red]error:[/] {error}", highlight=False)
        raise typer.Exit(2) from None
    _print_derived_total(result.derivation)
    console.print(materials_table(list(result.lines), title=f"Board as of {result.as_of}"))
    if result.stale:
        console.print(f"Stale series on {result.as_of} (shown as missing data, not as normal):")
        for item, staleness in result.stale:
            console.print(f"  {item.series_id} ({item.frequency}): {staleness.reason}")
    if result.derivation.failures:
        raise typer.Exit(1)


def _print_derived_total(outcome: DerivationOutcome) -> None:
    """One line for all the series derived while the sample loaded; failures on stderr."""
    reports = outcome.reports
    console.print(
        f"  derived {sum(len(r.stored) for r in reports)} series from their sources: "
        f"{sum(r.accepted for r in reports)} new, {sum(r.revised for r in reports)} revised",
        highlight=False,
    )
    print_derivation(outcome, quiet=True)


@app.command()
def evaluate(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="evaluate as of this date (default: today)")
    ] = None,
) -> None:
    """Assess every material now (or as of a date), store the assessments, show the board."""
    context = _context()
    day = _parse_date(as_of) or evaluation_date(context.settings)
    outcome = evaluate_store(
        context.factory, context.catalog, _ruleset(context), as_of=day, trigger="cli"
    )
    with context.factory() as session:
        lines = material_lines(session, context.catalog, as_of=day)
    console.print(
        materials_table(lines, title=f"Board as of {day} (rules {outcome.ruleset_version})")
    )


@app.command()
def backtest(
    data: Annotated[Path, typer.Option("--data", help="long-format CSV of observations")],
    out: Annotated[Path, typer.Option("--out", help="CSV of levels to write")],
    rules_path: Annotated[
        Path | None, typer.Option("--rules", help="rule set YAML (default: bundled)")
    ] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="first date reported")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="last date evaluated")] = None,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="folder for one PNG per material")
    ] = None,
) -> None:
    """Replay the rule set over a CSV's whole history, without a database.

    Writes material,period,level,direction,score,reasons for every evaluation step and prints a
    summary per material.
    """
    catalog = _catalog()
    try:
        code = run_backtest(
            data,
            out,
            rules_path,
            _parse_date(date_from, option="--from"),
            _parse_date(date_to, option="--to"),
            plot,
            set(catalog.material_ids),
            typer.echo,
            names=catalog.names(),
        )
    except (BacktestInputError, RuleSetError, FileFormatError) as error:
        errors.print(f"[bold red]error:[/] {error}", highlight=False)
        raise typer.Exit(2) from None
    raise typer.Exit(code)


def _catalog() -> Catalog:
    try:
        return load_catalog(_settings().catalog_path)
    except CatalogError as error:
        errors.print(f"[bold red]error:[/] {error}", highlight=False)
        raise typer.Exit(2) from None


def _ruleset(context: ServiceContext) -> RuleSet:
    try:
        return load_ruleset(context.settings.rules_path, context.catalog)
    except RuleSetError as error:
        errors.print(f"[bold red]error:[/] {error}", highlight=False)
        raise typer.Exit(2) from None


def print_report(report: IngestReport) -> None:
    """Print what an ingest did, with each rejected row's line and reason."""
    console.print(
        f"{report.source}: {report.accepted} accepted as new, {report.revised} revised, "
        f"{report.unchanged} unchanged, {report.rejected} rejected",
        highlight=False,
    )
    for reject in report.rejects:
        console.print(f"  line {reject.line}: {reject.reason}", highlight=False)


def materials_table(lines: list[MaterialLine], *, title: str = "Materials") -> Table:
    """The board as a rich table."""
    table = Table(title=title)
    for header in ("id", "中文", "English", "sector", "series", "latest", "value", "change"):
        table.add_column(header)
    table.add_column("level")
    table.add_column("reason", overflow="fold")
    for line in lines:
        table.add_row(
            line.material,
            line.name_zh,
            line.name_en,
            line.sector,
            str(line.series_count),
            line.latest_period.isoformat() if line.latest_period else "no data",
            f"{line.latest_value:,.2f} {line.unit}" if line.latest_value is not None else "",
            f"{line.change_pct:+.1f}%" if line.change_pct is not None else "",
            _level_text(line),
            line.reason or "",
        )
    return table


def _level_text(line: MaterialLine) -> str:
    if line.level is None:
        return ""
    arrow = {"up": " ↑", "down": " ↓"}.get(line.direction or "", "")
    colour = {"red": "red", "yellow": "yellow", "blue": "blue"}.get(line.level, "default")
    return f"[{colour}]{line.level}{arrow}[/]"


def _parse_date(text: str | None, *, option: str = "--as-of") -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.print(f"[bold red]error:[/] {option}: expected YYYY-MM-DD, got {text!r}")
        raise typer.Exit(2) from None


app.command()(ingest)
app.command()(series)
app.command()(serve)
app.add_typer(feeds_app, name="feeds")

if __name__ == "__main__":
    app()
