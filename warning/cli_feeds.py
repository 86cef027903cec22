"""Feed commands of the ``warning`` CLI: ingest, feeds status / rejects, series, serve.

Registered in :mod:`warning.cli`::

    app.command()(ingest)
    app.command()(series)
    app.command()(serve)
    app.add_typer(feeds_app, name="feeds")
"""

from __future__ import annotations

import logging
import sys
import threading
from datetime import date, datetime
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from feeds.aggregate import RULES, TARGETS, AggregationError, aggregate, spread_jan_feb
from feeds.definitions import DefinitionError, FeedDefinition, FeedDefinitions
from rules import RuleSet, RuleSetError
from warning.catalog import CatalogError
from warning.clock import desk_today, evaluation_date
from warning.context import ServiceContext, open_context
from warning.db import StoreError
from warning.derived import DerivationOutcome
from warning.evaluation import derive_and_evaluate, level_counts, load_ruleset
from warning.feed_status import (
    combined_jan_feb_ids,
    rejected_rows,
    series_observations,
    series_status,
    stored_series,
)
from warning.feeding import (
    SERVICE_TZ,
    FeedOutcome,
    FeedSelectionError,
    load_feed_definitions,
    run_feeds,
    select_feeds,
)
from warning.scheduler import build_feed_scheduler
from warning.settings import SettingsError, get_settings

feeds_app = typer.Typer(help="Feed state: series status and rejected rows.", no_args_is_help=True)
log = logging.getLogger(__name__)
console = Console(width=None if sys.stdout.isatty() else 200)
errors = Console(stderr=True, width=None if sys.stderr.isatty() else 200)


def _fail(message: object) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(2)


def _context() -> tuple[ServiceContext, FeedDefinitions]:
    try:
        context = open_context(get_settings())
        return context, load_feed_definitions(context.settings, context.catalog)
    except (SettingsError, DefinitionError, CatalogError, StoreError) as error:
        raise _fail(error) from None


def _ruleset(context: ServiceContext) -> RuleSet:
    try:
        return load_ruleset(context.settings.rules_path, context.catalog)
    except RuleSetError as error:
        raise _fail(error) from None


def _as_of(text: str | None, context: ServiceContext) -> date:
    if text is None:
        return evaluation_date(context.settings)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _fail(f"--as-of: expected YYYY-MM-DD, got {text!r}") from None


AsOf = Annotated[str | None, typer.Option("--as-of", help="as of this date (YYYY-MM-DD)")]


def ingest(
    series_ids: Annotated[
        list[str] | None, typer.Option("--series", help="run the feed of this series (repeat)")
    ] = None,
    feed_ids: Annotated[
        list[str] | None, typer.Option("--feed", help="run this feed (repeat)")
    ] = None,
) -> None:
    """Run feeds now (all enabled feeds by default) and show what each stored."""
    context, definitions = _context()
    try:
        chosen = select_feeds(definitions, feed_ids=feed_ids or (), series_ids=series_ids or ())
    except FeedSelectionError as error:
        raise _fail(error) from None
    ruleset = _ruleset(context)
    outcomes = _run_with_progress(context, chosen)
    console.print(outcomes_table(outcomes))
    stored = [span for outcome in outcomes for span in outcome.stored]
    follow_up = derive_and_evaluate(context, ruleset=ruleset, stored=stored, trigger="ingest")
    print_derivation(follow_up.derivation)
    if follow_up.evaluation is not None:
        console.print(
            f"Evaluated as of {follow_up.evaluation.as_of}: {level_counts(follow_up.evaluation)}"
        )
    failed = any(outcome.status == "failed" for outcome in outcomes)
    if failed or follow_up.derivation.failures:
        raise typer.Exit(1)


def print_derivation(outcome: DerivationOutcome, *, quiet: bool = False) -> None:
    """One line per source whose derived series changed (unless ``quiet``); failures on stderr."""
    for report in outcome.reports:
        if not quiet and report.accepted + report.revised:
            console.print(
                f"derived from {report.source}: {report.accepted} new, {report.revised} "
                f"revised, {report.unchanged} unchanged",
                highlight=False,
            )
    for failure in outcome.failures:
        errors.print(
            f"[bold red]error:[/] deriving the series computed from {failure.source_id} "
            f"failed (its own values are stored): {failure.error}",
            highlight=False,
        )


def _run_with_progress(context: ServiceContext, chosen: list[FeedDefinition]) -> list[FeedOutcome]:
    outcomes: list[FeedOutcome] = []
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("feeds", total=len(chosen))
        for definition in chosen:
            progress.update(task, description=f"feed {definition.id}")
            outcomes += run_feeds(
                context.factory,
                definitions=[definition],
                secrets=context.settings.feed_secrets,
                today=desk_today(context.settings),
            )
            progress.advance(task)
    return outcomes


def outcomes_table(outcomes: list[FeedOutcome]) -> Table:
    """One line per feed run: status, counts, failing and the error."""
    table = Table(title="Feed runs")
    headers = ("feed", "status", "fetched", "accepted", "revised", "unchanged", "rejected")
    for header in (*headers, "suspect", "failing"):
        table.add_column(header)
    table.add_column("error", overflow="fold")
    for item in outcomes:
        colour = {"ok": "green", "unchanged": "default", "failed": "red"}[item.status]
        table.add_row(
            item.feed_id,
            f"[{colour}]{item.status}[/]",
            *(str(n) for n in (item.rows_fetched, item.accepted, item.revised, item.unchanged)),
            str(item.rejected),
            str(item.suspect),
            f"[red]failing ({item.consecutive_failures})[/]" if item.failing else "",
            item.error or "",
        )
    return table


@feeds_app.command("status")
def feeds_status(as_of: AsOf = None) -> None:
    """Every series: last period, its feed's last run and status, stale or not, failing or not.

    A derived series shows its source (``derived from ...``) and its last derivation run.
    """
    context, definitions = _context()
    day = _as_of(as_of, context)
    with context.factory() as session:
        lines = series_status(session, definitions=definitions, as_of=day)
    table = Table(title=f"Series as of {day}")
    for header in ("series", "freq", "feed", "last period", "values", "suspect", "last run"):
        table.add_column(header)
    for header in ("run status", "stale", "failing"):
        table.add_column(header)
    for line in lines:
        stale = line.staleness
        table.add_row(
            line.series_id,
            line.frequency,
            f"derived from {line.derived_from}" if line.derived_from else line.feed_id or "-",
            line.last_period.isoformat() if line.last_period else "no data",
            str(line.observations),
            f"[yellow]{line.suspect}[/]" if line.suspect else "0",
            line.last_run_at.astimezone(SERVICE_TZ).strftime("%Y-%m-%d %H:%M")
            if line.last_run_at
            else "never",
            line.last_status or "-",
            f"[red]stale[/]: {stale.reason}" if stale.stale else "fresh",
            "[red]failing[/]" if line.failing else "",
        )
    console.print(table)


@feeds_app.command("rejects")
def feeds_rejects(
    feed_id: Annotated[str | None, typer.Option("--feed", help="only this feed")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="at most this many rows")] = 50,
) -> None:
    """Rejected rows, newest run first: feed, source, line, reason and the raw row."""
    context, _definitions = _context()
    with context.factory() as session:
        rows = rejected_rows(session, feed_id=feed_id, limit=limit)
    table = Table(title="Rejected rows")
    for header in ("feed", "run", "source", "line", "reason"):
        table.add_column(header, overflow="fold")
    table.add_column("raw", overflow="fold")
    for row in rows:
        table.add_row(
            row.feed,
            row.run_started_at.astimezone(SERVICE_TZ).strftime("%Y-%m-%d %H:%M"),
            row.source,
            str(row.line) if row.line is not None else "",
            row.reason,
            row.raw,
        )
    console.print(table)
    if not rows:
        console.print("no rejected rows")


def series(
    series_id: Annotated[str, typer.Argument(help="a series id, e.g. copper_shfe_futures")],
    to: Annotated[
        str | None, typer.Option("--to", help="aggregate to W, M, Q or Y (default: own frequency)")
    ] = None,
    as_of: AsOf = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="newest periods shown")] = 24,
    split_jan_feb: Annotated[
        bool, typer.Option("--split-jan-feb", help="estimate Jan and Feb from a combined value")
    ] = False,
) -> None:
    """A series at its own frequency or aggregated (mean for prices, sum for output)."""
    context, definitions = _context()
    day = _as_of(as_of, context)
    with context.factory() as session:
        frame = series_observations(session, series_id=series_id, until=day)
        stored = [s for s in stored_series(session, as_of=day) if s.series_id == series_id]
    if not stored:
        raise _fail(f"no series {series_id!r} in the store")
    item = stored[0]
    combined = combined_jan_feb_ids(stored, definitions)
    target = (to or item.frequency).upper()
    if target not in TARGETS.get(item.frequency, ()):
        raise _fail(AggregationError(series_id, item.frequency, target))
    usable = frame[~frame["suspect"]].drop(columns="suspect")
    if split_jan_feb and series_id in combined:
        usable = spread_jan_feb(usable, series_ids=combined)
    shown = aggregate(usable, target, combined_jan_feb=combined) if len(usable) else usable
    _print_series(item.series_id, frame, shown, target=target, combined=series_id in combined)
    table = Table(title=f"{series_id} ({target})")
    for header in ("period", "value"):
        table.add_column(header)
    detail = "n_obs" in shown.columns and target != item.frequency
    if detail:
        for header in ("obs", "expected", "complete"):
            table.add_column(header)
    for _, row in shown.tail(limit).iterrows():
        cells = [pd.Timestamp(row["period"]).date().isoformat(), f"{row['value']:,.2f}"]
        if detail:
            cells += [str(row["n_obs"]), str(row["expected"]), "yes" if row["complete"] else "no"]
        table.add_row(*cells)
    console.print(table)


def _print_series(
    series_id: str, frame: pd.DataFrame, shown: pd.DataFrame, *, target: str, combined: bool
) -> None:
    if frame.empty:
        console.print(f"{series_id}: no observations stored")
        return
    first = frame.iloc[0]
    rule = RULES[str(first["indicator"])]
    console.print(
        f"{series_id}: {first['material']} {first['indicator']}, {first['frequency']} in "
        f"{first['unit']}; shown as {target}, rule: {rule} of the {first['indicator']} values "
        f"in each period; {int(frame['suspect'].sum())} suspect value(s) excluded",
        highlight=False,
    )
    if combined:
        console.print(
            "January and February are published combined: the February value covers both "
            "months and January is not expected (--split-jan-feb estimates each half).",
            highlight=False,
        )


_EVALUATION_LOCK = threading.Lock()  # feeds finishing together evaluate one after another


def after_feed_run(context: ServiceContext, ruleset: RuleSet, outcome: FeedOutcome) -> None:
    """What follows a scheduled feed run: ``derive_and_evaluate``, logged."""
    with _EVALUATION_LOCK:
        follow_up = derive_and_evaluate(
            context, ruleset=ruleset, stored=outcome.stored, trigger=f"feed:{outcome.feed_id}"
        )
    for report in follow_up.derivation.reports:
        log.info(
            "derived from %s: %d new, %d revised", report.source, report.accepted, report.revised
        )
    for failure in follow_up.derivation.failures:
        log.error(
            "feed %s: deriving from %s failed: %s",
            outcome.feed_id,
            failure.source_id,
            failure.error,
        )
    if follow_up.evaluation is not None:
        log.info(
            "evaluated as of %s: %s", follow_up.evaluation.as_of, level_counts(follow_up.evaluation)
        )


def serve() -> None:
    """Run the feed scheduler in the foreground (Asia/Shanghai times) until interrupted."""
    context, definitions = _context()
    ruleset = _ruleset(context)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    scheduler, caught_up = build_feed_scheduler(
        context.factory,
        definitions=definitions.feeds,
        blocking=True,
        secrets=context.settings.feed_secrets,
        timezone=context.settings.timezone,
        on_outcome=lambda outcome: after_feed_run(context, ruleset, outcome),
    )
    now = datetime.now(SERVICE_TZ)
    table = Table(title=f"Feed jobs ({context.settings.timezone})")
    for header in ("job", "next run", "catch-up now"):
        table.add_column(header)
    for job in scheduler.get_jobs():
        following = job.trigger.get_next_fire_time(None, now)
        table.add_row(
            job.id, f"{following:%Y-%m-%d %H:%M %Z}", "yes" if job.id in caught_up else ""
        )
    console.print(table)
    console.print("Running; press Ctrl-C to stop.")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
