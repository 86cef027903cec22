"""Alert commands: the directory, the delivery worker and its outbox, dry runs, digests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from alerts import Language
from alerts.digest import DigestKind
from alerts.public_link import warning_url
from warning import clock
from warning.cli.accounts import cli_actor
from warning.cli.edge import LIMIT, ROW_ID
from warning.cli.output import console, errors, fail, parse_date, service_context
from warning.context import secret_key
from warning.delivery.listing import delivery_count, delivery_rows
from warning.delivery.models import DeliveryStatus
from warning.delivery.outbox import replay
from warning.delivery.public_page import revoke_links
from warning.delivery.routing import targets
from warning.jobs.delivery import deliver_due
from warning.jobs.digest import run_digest
from warning.jobs.directory import export_directory, import_directory
from warning.review.models import MaterialWarning
from warning.store import read_only, transaction

directory_app = typer.Typer(help="The whitelist enterprises' contacts.", no_args_is_help=True)
deliveries_app = typer.Typer(help="The outbox: list and replay deliveries.", no_args_is_help=True)
alerts_app = typer.Typer(
    help="Who gets what: dry runs; the warnings' public page links.", no_args_is_help=True
)


@directory_app.command("import")
def directory_import(
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8) or XLSX, one row per contact")],
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object")] = False,
) -> None:
    """Import a directory file: all rows, or (if any row is refused) none. Exit 1 if refused."""
    context = service_context()
    result = import_directory(context, file, actor=cli_actor())
    if as_json:
        typer.echo(json.dumps(result.as_json(), ensure_ascii=False))
    elif result.rejects:
        for reject in result.rejects:
            errors.print(str(reject))
        errors.print(f"{len(result.rejects)} refused cell(s): nothing was imported")
    else:
        outcome = result.outcome
        assert outcome is not None
        console.print(
            f"{file}: {outcome.rows} contact rows of {outcome.enterprises} enterprises; "
            f"{outcome.changed} changed the directory",
        )
    if result.rejects:
        raise typer.Exit(1)


@directory_app.command("export")
def directory_export(
    file: Annotated[Path, typer.Argument(help="where to write: .csv or .xlsx")],
) -> None:
    """Write the directory in the import format."""
    context = service_context()
    rows = export_directory(context, file)
    console.print(f"{rows} contact rows written to {file}")


def deliver(
    loop: Annotated[bool, typer.Option("--loop", help="keep going, polling for due work")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object of counts")] = False,
    batch: Annotated[
        int, typer.Option("--batch", min=1, max=10000, help="deliveries claimed per round")
    ] = 200,
) -> None:
    """Send what is due in the outbox (until nothing is due, or forever with --loop)."""
    context = service_context()
    counts = deliver_due(context, loop=loop, batch=batch)
    if as_json:
        typer.echo(json.dumps(counts))
    else:
        console.print(", ".join(f"{n} {status}" for status, n in counts.items()))


@deliveries_app.command("list")
def deliveries_list(
    status: Annotated[DeliveryStatus | None, typer.Option("--status")] = None,
    limit: Annotated[int, typer.Option("--limit", **LIMIT)] = 50,
) -> None:
    """Deliveries, newest first: contact, channel, where to, status, attempts, last error."""
    context = service_context()
    with read_only(context.factory) as session:
        rows = delivery_rows(session, status=status, limit=limit)
        total = delivery_count(session, status=status)
    table = Table(title="Deliveries")
    for header in ("id", "contact", "channel", "to", "status", "attempts", "last error"):
        table.add_column(header, overflow="fold")
    for d in rows:
        contact = f"{d.contact} ({d.enterprise})"
        table.add_row(
            str(d.id), contact, d.channel, d.target, d.status, str(d.attempts), d.last_error
        )
    console.print(table)
    if total > len(rows):
        console.print(
            f"the newest {len(rows)} of {total} deliveries; "
            "--limit shows more, --status narrows the list"
        )


@deliveries_app.command("replay")
def deliveries_replay(delivery_id: Annotated[int, typer.Argument(**ROW_ID)]) -> None:
    """Send a dead delivery again (with the same id, so receivers can de-duplicate)."""
    context = service_context()
    with transaction(context.factory) as session:
        replay(session, delivery_id=delivery_id, actor=cli_actor(), now=clock.now())
    console.print(f"delivery {delivery_id} will be sent again")


@alerts_app.command("link")
def link(
    warning_id: Annotated[int, typer.Option("--warning", help="the warning's id")],
) -> None:
    """A fresh link to the warning's public page (as messages carry), on the last line."""
    context = service_context()
    with read_only(context.factory) as session:
        if session.get(MaterialWarning, warning_id) is None:
            raise fail(f"no warning {warning_id}")
    typer.echo(
        warning_url(
            context.settings.public_url, warning_id, clock.now(), secret_key(context.settings)
        )
    )


@alerts_app.command("revoke-links")
def revoke_links_command(
    warning_id: Annotated[int, typer.Option("--warning", help="the warning's id")],
) -> None:
    """Stop every link to the warning's public page issued so far from opening (audited)."""
    context = service_context()
    with transaction(context.factory) as session:
        revoke_links(session, warning_id=warning_id, actor=cli_actor(), now=clock.now())
    console.print(f"links to warning {warning_id} issued until now no longer open")


@alerts_app.command("dry-run")
def dry_run(
    warning_id: Annotated[int, typer.Option("--warning", help="the warning's id", **ROW_ID)],
) -> None:
    """Who would receive this warning now, on which channel, and why (which subscription);
    an enterprise a silence mutes it for now is left out."""
    context = service_context()
    with read_only(context.factory) as session:
        warning = session.get(MaterialWarning, warning_id)
        if warning is None:
            raise fail(f"no warning {warning_id}")
        found = targets(
            session,
            material_id=warning.material_id,
            level=warning.level,
            direction=warning.direction,
            at=clock.now(),
        )
        rows = [
            (
                t.contact.enterprise.name,
                t.contact.name,
                str(t.channel),
                t.contact.language,
                f"subscription {t.subscription.id}: materials {t.subscription.materials or '-'}"
                f"{'; sectors ' + t.subscription.sectors if t.subscription.sectors else ''}, "
                f"from {t.subscription.min_level}, {t.subscription.directions}",
            )
            for t in found
        ]
        title = f"Warning {warning_id}: {warning.material_id} {warning.level} {warning.direction}"
    table = Table(title=title)
    for header in ("enterprise", "contact", "channel", "language", "why"):
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*((cell) for cell in row))
    console.print(table)
    console.print(f"{len(rows)} deliveries would be made")


def digest(
    kind: Annotated[DigestKind, typer.Option("--kind", help="daily, weekly or monthly")],
    day: Annotated[str | None, typer.Option("--date", help="as sent on this day")] = None,
    preview: Annotated[
        Path | None, typer.Option("--preview", help="write .html, .txt, .eml or .docx instead")
    ] = None,
    language: Annotated[Language, typer.Option("--language", help="of the preview")] = (
        Language.ZH
    ),
) -> None:
    """Render (--preview) or send a digest or bulletin; each period goes out once."""
    context = service_context()
    outcome = run_digest(
        context,
        kind=kind,
        day=parse_date(day, option="--date"),
        preview=preview,
        language=language,
    )
    period = f"{outcome.period_start} .. {outcome.period_end}"
    if outcome.preview:
        console.print(f"{kind} {period} written to {outcome.preview}")
        return
    counts = deliver_due(context)  # a round of the delivery worker sends what was queued
    console.print(
        f"{kind} {period}: queued for {outcome.queued} (already queued for {outcome.already}); "
        f"delivery round: {counts['sent']} sent, {counts['retrying']} retrying, "
        f"{counts['dead']} dead",
        highlight=False,
    )
    if counts["dead"] or counts["retrying"]:
        raise typer.Exit(1)
