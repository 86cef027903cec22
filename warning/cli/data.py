"""Data commands: ``init``, ``ingest-file``, ``ingest``, ``derive`` and ``series``."""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from feeds.aggregate import RULES, TARGETS, AggregationError, aggregate, spread_jan_feb
from feeds.definitions import DefinitionError, FeedDefinition, FeedDefinitions
from feeds.library import ImportedAkshare
from feeds.longformat import FileFormatError
from warning.cli.edge import LIMIT
from warning.cli.output import (
    console,
    fail,
    file_problem,
    parse_date,
    ruleset,
    service_context,
)
from warning.cli.tables import outcomes_table, print_derivation, print_report
from warning.clock import desk_today, evaluation_date
from warning.context import ServiceContext
from warning.evaluation.runs import level_counts
from warning.feeding.feed_runs import (
    FeedOutcome,
    FeedRunStatus,
    load_feed_definitions,
    select_feeds,
)
from warning.feeding.raw_frames import RawFrames
from warning.feeding.staleness import combined_jan_feb_ids, stored_series
from warning.feeding.status import series_observations
from warning.jobs.backfill import backfill_days, backfill_feed
from warning.jobs.feeds import run_feeds
from warning.jobs.ingest import ingest_file
from warning.jobs.pipeline import derive_and_evaluate, rederive_and_evaluate
from warning.jobs.schedule import check_schedules
from warning.store import read_only

AsOf = Annotated[str | None, typer.Option("--as-of", help="as of this date (YYYY-MM-DD)")]


def feeds_context() -> tuple[ServiceContext, FeedDefinitions]:
    """The service context and the configured feed definitions, schedules included."""
    context = service_context()
    try:
        definitions = load_feed_definitions(context.settings, context.catalog)
        check_schedules(definitions, timezone=context.settings.timezone)
    except DefinitionError as error:  # the feeds engine's: not a service error
        raise fail(error) from None
    return context, definitions


def init() -> None:
    """Run database migrations and load the material catalog."""
    context = service_context(init=True)
    console.print(
        f"Database ready at {context.settings.database_url}; "
        f"catalog {context.catalog.path} loaded with {len(context.catalog.materials)} materials."
    )


def ingest_file_command(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX file in the long format")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    encoding: Annotated[
        str,
        typer.Option("--encoding", help="the CSV file's encoding, e.g. gb18030 (Chinese Excel)"),
    ] = "utf-8",
) -> None:
    """Load observations from a long-format CSV or XLSX file.

    Columns: series_id,material,indicator,frequency,period,value,unit (UTF-8 unless
    --encoding, header row). Exit 1 when no row was valid and some were refused (see
    `warning feeds rejects`) or a derivation failed; 2 when the file cannot be read at all.
    """
    context = service_context()
    rules = ruleset(context)
    _check_encoding(encoding)
    try:
        report = ingest_file(
            context.factory,
            file,
            today=desk_today(context.settings),
            encoding=encoding,
            max_bytes=context.settings.max_file_bytes,
            max_unpacked=context.settings.max_unpacked_bytes,
        )
    except FileFormatError as error:
        raise fail(file_problem(error)) from None
    # what was committed is derived and evaluated before anything is printed
    follow_up = derive_and_evaluate(
        context, ruleset=rules, stored=report.stored, trigger="ingest-file"
    )
    if as_json:
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        print_report(report)
    print_derivation(follow_up.derivation, quiet=as_json)
    if follow_up.evaluation is not None and not as_json:
        console.print(
            f"Evaluated as of {follow_up.evaluation.as_of}: {level_counts(follow_up.evaluation)}"
        )
    nothing_valid = report.accepted + report.revised + report.unchanged == 0
    if follow_up.derivation.failures or (nothing_valid and report.rejected):
        raise typer.Exit(1)


def _check_encoding(encoding: str) -> None:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise fail(f"--encoding: unknown encoding {encoding!r}; e.g. utf-8, gb18030") from None


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
    context = service_context()
    rules = ruleset(context)
    follow_up = rederive_and_evaluate(context, ruleset=rules, series_id=series_id)
    for report in follow_up.derivation.reports:
        if report.accepted + report.revised + report.unchanged:
            console.print(
                f"derived from {report.source}: {report.accepted} new, {report.revised} "
                f"revised, {report.unchanged} unchanged"
            )
    print_derivation(follow_up.derivation, quiet=True)
    evaluation = follow_up.evaluation
    if evaluation is not None:
        console.print(f"Evaluated as of {evaluation.as_of}: {level_counts(evaluation)}")
    if follow_up.derivation.failures:
        raise typer.Exit(1)


def ingest(
    series_ids: Annotated[
        list[str] | None, typer.Option("--series", help="run the feed of this series (repeat)")
    ] = None,
    feed_ids: Annotated[
        list[str] | None, typer.Option("--feed", help="run this feed (repeat)")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="backfill the named feeds from this date (YYYY-MM-DD) in chunks; run again "
            "with the same date to resume",
        ),
    ] = None,
) -> None:
    """Run feeds now (all enabled feeds by default) and show what each stored."""
    context, definitions = feeds_context()
    start = parse_date(since)
    if start is not None and not feed_ids:
        raise fail("--since backfills the feeds named with --feed; name at least one")
    chosen = select_feeds(definitions, feed_ids=feed_ids or (), series_ids=series_ids or ())
    rules = ruleset(context)
    if start is not None:
        outcomes = _backfill_with_progress(context, chosen, since=start)
    else:
        outcomes = _run_with_progress(context, chosen)
    console.print(outcomes_table(outcomes))
    stored = [span for outcome in outcomes for span in outcome.stored]
    follow_up = derive_and_evaluate(context, ruleset=rules, stored=stored, trigger="ingest")
    print_derivation(follow_up.derivation)
    if follow_up.evaluation is not None:
        console.print(
            f"Evaluated as of {follow_up.evaluation.as_of}: {level_counts(follow_up.evaluation)}"
        )
    failed = any(outcome.status == FeedRunStatus.FAILED for outcome in outcomes)
    if failed or follow_up.derivation.failures:
        raise typer.Exit(1)


def _run_with_progress(context: ServiceContext, chosen: list[FeedDefinition]) -> list[FeedOutcome]:
    outcomes: list[FeedOutcome] = []
    with _progress() as progress:
        task = progress.add_task("feeds", total=len(chosen))
        for definition in chosen:
            progress.update(task, description=f"feed {definition.id}")
            outcomes += run_feeds(
                context.factory,
                definitions=[definition],
                secrets=context.settings.feed_secrets,
                today=desk_today(context.settings),
                raw=RawFrames.from_settings(context.settings),
            )
            progress.advance(task)
    return outcomes


def _backfill_with_progress(
    context: ServiceContext, chosen: list[FeedDefinition], *, since: date
) -> list[FeedOutcome]:
    today = desk_today(context.settings)
    table = ImportedAkshare()
    try:
        calendar = table.calendar()
    except Exception:  # a broken install: the approximate calendar will do for counting
        calendar = None
    outcomes: list[FeedOutcome] = []
    with _progress() as progress:
        for definition in chosen:
            days = len(backfill_days(since, today, calendar))
            task = progress.add_task(f"backfill {definition.id} (trading days)", total=days)
            outcomes += backfill_feed(
                context.factory,
                definition=definition,
                since=since,
                today=today,
                var_dir=context.settings.var_dir,
                raw=RawFrames.from_settings(context.settings),
                secrets=context.settings.feed_secrets,
                calendar=calendar,
                on_chunk=_advance(progress, task),
            )
    return outcomes


def _progress() -> Progress:
    """A transient progress bar: what runs, a bar, done of all, time taken."""
    columns = (
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    return Progress(*columns, console=console, transient=True)


def _advance(progress: Progress, task: TaskID) -> Callable[[FeedOutcome, int], None]:
    def advance(_outcome: FeedOutcome, done: int) -> None:
        progress.update(task, completed=done)

    return advance


def series(
    series_id: Annotated[str, typer.Argument(help="a series id, e.g. copper_shfe_futures")],
    to: Annotated[
        str | None, typer.Option("--to", help="aggregate to W, M, Q or Y (default: own frequency)")
    ] = None,
    as_of: AsOf = None,
    limit: Annotated[int, typer.Option("--limit", help="newest periods shown", **LIMIT)] = 24,
    split_jan_feb: Annotated[
        bool, typer.Option("--split-jan-feb", help="estimate Jan and Feb from a combined value")
    ] = False,
) -> None:
    """A series at its own frequency or aggregated (mean for prices, sum for output)."""
    context, definitions = feeds_context()
    day = parse_date(as_of) or evaluation_date(context.settings)
    with read_only(context.factory) as session:
        frame = series_observations(session, series_id=series_id, until=day)
        stored = [s for s in stored_series(session, as_of=day) if s.series_id == series_id]
    if not stored:
        raise fail(f"no series {series_id!r} in the store")
    item = stored[0]
    combined = combined_jan_feb_ids(stored, definitions)
    target = (to or item.frequency).upper()
    if target not in TARGETS.get(item.frequency, ()):
        raise fail(AggregationError(series_id, item.frequency, target))
    usable = frame[~frame["suspect"]].drop(columns="suspect")
    if split_jan_feb and series_id in combined:
        usable = spread_jan_feb(usable, series_ids=combined)
    shown = aggregate(usable, target, combined_jan_feb=combined) if len(usable) else usable
    _print_series(item.series_id, frame, target=target, combined=series_id in combined)
    console.print(_series_table(series_id, shown, target=target, own=item.frequency, limit=limit))


def _series_table(
    series_id: str, shown: pd.DataFrame, *, target: str, own: str, limit: int
) -> Table:
    table = Table(title=f"{series_id} ({target})")
    for header in ("period", "value"):
        table.add_column(header)
    detail = "n_obs" in shown.columns and target != own
    if detail:
        for header in ("obs", "expected", "complete"):
            table.add_column(header)
    for _, row in shown.tail(limit).iterrows():
        cells = [pd.Timestamp(row["period"]).date().isoformat(), f"{row['value']:,.2f}"]
        if detail:
            cells += [str(row["n_obs"]), str(row["expected"]), "yes" if row["complete"] else "no"]
        table.add_row(*cells)
    return table


def _print_series(series_id: str, frame: pd.DataFrame, *, target: str, combined: bool) -> None:
    if frame.empty:
        console.print(f"{series_id}: no observations stored")
        return
    first = frame.iloc[0]
    rule = RULES[str(first["indicator"])]
    console.print(
        f"{series_id}: {first['material']} {first['indicator']}, {first['frequency']} in "
        f"{first['unit']}; shown as {target}, rule: {rule} of the {first['indicator']} values "
        f"in each period; {int(frame['suspect'].sum())} suspect value(s) excluded"
    )
    if combined:
        console.print(
            "January and February are published combined: the February value covers both "
            "months and January is not expected (--split-jan-feb estimates each half)."
        )
