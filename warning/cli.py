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
from warning.board import MaterialLine, material_lines
from warning.catalog import CatalogError
from warning.context import ServiceContext, initialise, open_context
from warning.demo import run_demo
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
    except CatalogError as error:
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
    try:
        report = ingest_file(context.factory, file)
    except (FileFormatError, ValueError) as error:
        errors.print(f"[bold red]error:[/] {error}", highlight=False)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        print_report(report)


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
    result = run_demo(
        context,
        as_of=_parse_date(as_of) or context.settings.as_of,
        on_report=lambda report: console.print(
            f"  loaded {Path(report.source).name}: {report.accepted} new, {report.revised} "
            f"revised, {report.unchanged} unchanged, {report.rejected} rejected",
            highlight=False,
        ),
    )
    console.print(materials_table(list(result.lines), title=f"Board as of {result.as_of}"))
    if result.stale:
        console.print(f"Stale series on {result.as_of} (shown as missing data, not as normal):")
        for item in result.stale:
            last = item.last_period.isoformat() if item.last_period else "never"
            console.print(f"  {item.series_id} ({item.frequency}): last period {last}")


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


def _parse_date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.print(f"[bold red]error:[/] --as-of: expected YYYY-MM-DD, got {text!r}")
        raise typer.Exit(2) from None


if __name__ == "__main__":
    app()
