"""``warning feeds status`` and ``warning feeds rejects``: what operators see of feeds."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from feeds.library import RecordedFrames
from warning import clock
from warning.cli.data import AsOf, feeds_context
from warning.cli.edge import LIMIT
from warning.cli.output import console, fail, parse_date, styled
from warning.clock import desk_zone, evaluation_date
from warning.feeding.feed_runs import select_feeds
from warning.feeding.raw_frames import RawFrames
from warning.feeding.status import rejected_rows, series_status
from warning.jobs.canary import check_feeds, load_report, save_report
from warning.jobs.cross_checks import cross_check
from warning.jobs.cross_checks import load_report as load_cross_checks
from warning.jobs.cross_checks import save_report as save_cross_checks
from warning.store import read_only

feeds_app = typer.Typer(
    help="Feed state: series status, rejected rows, the live feeds' canary.", no_args_is_help=True
)


@feeds_app.command("status")
def feeds_status(as_of: AsOf = None) -> None:
    """Every series: last period, its feed's last run and status, stale or not, failing or not.

    A derived series shows its source (``derived from ...``) and its last derivation run.
    Times are in the desk's time zone (``WARNING_TIMEZONE``).
    """
    context, definitions = feeds_context()
    day = parse_date(as_of) or evaluation_date(context.settings)
    zone = desk_zone(context.settings)
    with read_only(context.factory) as session:
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
            styled(line.suspect, "yellow") if line.suspect else "0",
            line.last_run_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            if line.last_run_at
            else "never",
            line.last_status or "-",
            Text.assemble(styled("stale", "red"), f": {stale.reason}") if stale.stale else "fresh",
            styled("failing", "red") if line.failing else "",
        )
    console.print(table)
    report = load_report(context.settings)
    if report is not None and (report.failed or report.warnings):
        when = report.at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        console.print(f"Canary of {when}: {len(report.failed)} of {len(report.lines)} failed")
        for canary_line in report.failed:
            console.print(canary_line.text(), soft_wrap=True)
        for warning in report.warnings:
            console.print(
                Text.assemble(styled("warning:", "yellow"), f" {warning}"), soft_wrap=True
            )
    checked = load_cross_checks(context.settings)
    if checked is not None and checked.attention:
        when = checked.at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        console.print(f"Cross-check of {when}: {len(checked.attention)} need a look")
        for checked_line in checked.attention:
            console.print(checked_line.text(), soft_wrap=True)
    for series_id, reason in sorted(definitions.unsourced.items()):
        console.print(f"{series_id}: {reason}", soft_wrap=True)


@feeds_app.command("rejects")
def feeds_rejects(
    feed_id: Annotated[str | None, typer.Option("--feed", help="only this feed")] = None,
    limit: Annotated[int, typer.Option("--limit", help="at most this many rows", **LIMIT)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per row")] = False,
) -> None:
    """Rejected rows, newest run first: feed, source, line, reason and the raw row."""
    context, _definitions = feeds_context()
    zone = desk_zone(context.settings)
    with read_only(context.factory) as session:
        rows = rejected_rows(session, feed_id=feed_id, limit=limit)
    if as_json:
        for row in rows:
            typer.echo(
                json.dumps(
                    {
                        "feed": row.feed,
                        "run_started_at": row.run_started_at.isoformat(),
                        "source": row.source,
                        "line": row.line,
                        "reason": row.reason,
                        "raw": row.raw,
                    },
                    ensure_ascii=False,
                )
            )
        return
    table = Table(title="Rejected rows")
    for header in ("feed", "run", "source", "line", "reason"):
        table.add_column(header, overflow="fold")
    table.add_column("raw", overflow="fold")
    for row in rows:
        table.add_row(
            row.feed,
            row.run_started_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            row.source,
            str(row.line) if row.line is not None else "",
            row.reason,
            row.raw,
        )
    console.print(table)
    if not rows:
        console.print("no rejected rows")


@feeds_app.command("check")
def feeds_check(
    feed_ids: Annotated[
        list[str] | None, typer.Option("--feed", help="only this feed (repeat)")
    ] = None,
    replay: Annotated[
        Path | None,
        typer.Option(
            "--replay",
            help="replay frames recorded in this folder (e.g. var/feeds-raw/DATE) instead of "
            "calling the library; other sources are skipped",
        ),
    ] = None,
) -> None:
    """The canary: call each live feed once for its latest expected period, store nothing.

    One line per feed: rows, columns as expected or not, how long it took, the error. Exit 1
    when any feed fails. Also warns when the library's trading calendar ends within 30 days.
    """
    context, definitions = feeds_context()
    chosen = select_feeds(definitions, feed_ids=feed_ids or ())  # unknown: exit 2, one line
    if replay is not None and not replay.is_dir():
        raise fail(f"--replay {replay}: expected a folder of recorded frames")
    today = evaluation_date(context.settings)  # WARNING_AS_OF replays a past day
    chatter = io.StringIO()  # AKShare prints progress and retries: not this command's lines
    with contextlib.redirect_stdout(chatter), contextlib.redirect_stderr(chatter):
        report = check_feeds(
            chosen,
            today=today,
            functions=RecordedFrames(replay) if replay is not None else None,
            replay=replay is not None,
            keeper=None
            if replay is not None
            else RawFrames.from_settings(context.settings).keeper(today=today, now=clock.now()),
            secrets=context.settings.feed_secrets,
        )
    save_report(context.settings, report)
    for line in report.lines:
        console.print(line.text(), soft_wrap=True)
    for warning in report.warnings:
        console.print(Text.assemble(styled("warning:", "yellow"), f" {warning}"), soft_wrap=True)
    failed = len(report.failed)
    console.print(
        f"{len(report.lines)} feeds checked in {report.seconds:.1f} s; {failed} failed",
        soft_wrap=True,
    )
    if failed:
        raise typer.Exit(1)


@feeds_app.command("cross-check")
def feeds_cross_check(
    check_ids: Annotated[
        list[str] | None, typer.Option("--check", help="only this cross-check (repeatable)")
    ] = None,
) -> None:
    """Compare stored series with their second sources (the feed set's cross_checks).

    Fetches each cross-check for its last days (nothing of it is stored) and compares it with
    the stored values, one line per series: periods compared, and the largest difference
    beyond the tolerance. Exit 1 when a difference is beyond it or a second source fails.
    """
    context, definitions = feeds_context()
    known = {check.id: check for check in definitions.cross_checks}
    unknown = sorted(set(check_ids or ()) - set(known))
    if unknown:
        choices = ", ".join(sorted(known)) or "none in this feed set"
        raise fail(f"no cross-check {unknown[0]!r}; the feed set has {choices}")
    chosen = [known[name] for name in check_ids] if check_ids else list(known.values())
    today = evaluation_date(context.settings)
    chatter = io.StringIO()  # AKShare prints progress and retries: not this command's lines
    with contextlib.redirect_stdout(chatter), contextlib.redirect_stderr(chatter):
        report = cross_check(
            context.factory,
            chosen,
            today=today,
            keeper=RawFrames.from_settings(context.settings).keeper(today=today, now=clock.now()),
            secrets=context.settings.feed_secrets,
        )
    save_cross_checks(context.settings, report)
    for line in report.lines:
        console.print(line.text(), soft_wrap=True)
    attention = len(report.attention)
    console.print(
        f"{len(report.lines)} series cross-checked; {attention} beyond tolerance or failed",
        soft_wrap=True,
    )
    if attention:
        raise typer.Exit(1)
