"""How commands show results: the board, feed runs, ingest reports and derivations."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from warning.cli.output import console, print_error, styled
from warning.evaluation.board import MaterialLine
from warning.feeding.derivation import DerivationOutcome
from warning.feeding.feed_runs import FeedOutcome, FeedRunStatus
from warning.feeding.ingest import IngestReport

LEVEL_COLOURS = {"red": "red", "yellow": "yellow", "blue": "blue"}
ARROWS = {"up": " ↑", "down": " ↓"}
STATUS_COLOURS = {
    FeedRunStatus.OK: "green",
    FeedRunStatus.UNCHANGED: "default",
    FeedRunStatus.FAILED: "red",
}


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


def _level_text(line: MaterialLine) -> Text | str:
    if line.level is None:
        return ""
    arrow = ARROWS.get(line.direction or "", "")
    return styled(f"{line.level}{arrow}", LEVEL_COLOURS.get(line.level, "default"))


def outcomes_table(outcomes: list[FeedOutcome]) -> Table:
    """One line per feed run: status, counts, failing and the error."""
    table = Table(title="Feed runs")
    headers = ("feed", "status", "fetched", "accepted", "revised", "unchanged", "rejected")
    for header in (*headers, "suspect", "failing"):
        table.add_column(header)
    table.add_column("error", overflow="fold")
    for item in outcomes:
        colour = STATUS_COLOURS[item.status]
        table.add_row(
            item.feed_id,
            styled(item.status, colour),
            *(str(n) for n in (item.rows_fetched, item.accepted, item.revised, item.unchanged)),
            str(item.rejected),
            str(item.suspect),
            styled(f"failing ({item.consecutive_failures})", "red") if item.failing else "",
            item.error or "",
        )
    return table


def print_report(report: IngestReport) -> None:
    """Print what an ingest did, with each rejected row's line and reason."""
    console.print(
        f"{report.source}: {report.accepted} accepted as new, {report.revised} revised, "
        f"{report.unchanged} unchanged, {report.rejected} rejected"
    )
    for reject in report.rejects:
        console.print(f"  line {reject.line}: {reject.reason}")


def print_derivation(outcome: DerivationOutcome, *, quiet: bool = False) -> None:
    """One line per source whose derived series changed (unless ``quiet``); failures on stderr."""
    for report in outcome.reports:
        if not quiet and report.accepted + report.revised:
            console.print(
                f"derived from {report.source}: {report.accepted} new, {report.revised} "
                f"revised, {report.unchanged} unchanged"
            )
    for failure in outcome.failures:
        print_error(
            f"deriving the series computed from {failure.source_id} "
            f"failed (its own values are stored): {failure.error}"
        )
