"""``warning serve``: the web app and the scheduler, until SIGINT or SIGTERM."""

from __future__ import annotations

from typing import Annotated

import typer
from apscheduler.schedulers.base import BaseScheduler
from rich.table import Table

from feeds.definitions import FeedDefinitions
from warning import logs
from warning.cli.data import feeds_context
from warning.cli.output import console, fail, ruleset
from warning.clock import desk_now
from warning.context import ServiceContext
from warning.serving import ServeOptions
from warning.serving import serve as run_service


def serve(
    host: Annotated[str, typer.Option("--host", help="address the web app listens on")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    no_scheduler: Annotated[
        bool, typer.Option("--no-scheduler", help="run the web app only")
    ] = False,
    no_web: Annotated[
        bool,
        typer.Option("--no-web", help="run the scheduled jobs and the delivery worker, no pages"),
    ] = False,
    worker_only: Annotated[
        bool,
        typer.Option("--worker-only", help="run the delivery worker only: no pages, no schedule"),
    ] = False,
) -> None:
    """Run the web app (the pages at /, the API under /api/v1, /healthz, /readyz, /metrics),
    the scheduled jobs (each feed on its schedule in WARNING_TIMEZONE, missed runs caught up
    once; the review queue swept every minute; digests) and the delivery worker, until Ctrl-C
    or SIGTERM. Any number of replicas may share one PostgreSQL: each scheduled job runs once
    per scheduled time between them, each delivery is sent by one."""
    if no_web and no_scheduler:
        raise fail("--no-web and --no-scheduler together leave nothing to run")
    if worker_only and (no_web or no_scheduler):
        raise fail("--worker-only already means no web and no scheduler; give it alone")
    if worker_only:
        options = ServeOptions(web=False, scheduler=False, worker=True, host=host, port=port)
    else:
        options = ServeOptions(
            web=not no_web,
            scheduler=not no_scheduler,
            worker=not no_scheduler,
            host=host,
            port=port,
        )
    context, definitions = feeds_context()
    serve_context(context, definitions, options)


def serve_context(
    context: ServiceContext, definitions: FeedDefinitions, options: ServeOptions
) -> None:
    """Serve ``context`` (the demo passes its own) until SIGINT or SIGTERM."""
    rules = ruleset(context)
    logs.configure(context.settings.log_format)
    run_service(
        context,
        definitions=definitions,
        ruleset=rules,
        options=options,
        on_ready=lambda scheduler, caught_up: _announce(context, options, scheduler, caught_up),
    )


def _announce(
    context: ServiceContext,
    options: ServeOptions,
    scheduler: BaseScheduler | None,
    caught_up: list[str],
) -> None:
    if scheduler is not None:
        now = desk_now(context.settings)
        table = Table(title=f"Jobs ({context.settings.timezone})")
        for header in ("job", "next run", "catch-up now"):
            table.add_column(header)
        for job in scheduler.get_jobs():
            following = job.trigger.get_next_fire_time(None, now)
            table.add_row(
                job.id, f"{following:%Y-%m-%d %H:%M %Z}", "yes" if job.id in caught_up else ""
            )
        console.print(table)
    if options.web and options.jobs:
        console.print("Scheduled jobs and the delivery worker run in a process of their own.")
    if options.web:
        console.print(
            f"Web app on http://{options.host}:{options.port}/ (log in at /login; "
            f"API: /api/v1, its OpenAPI document: /api/v1/openapi.json)",
        )
    console.print("Running; press Ctrl-C to stop.")
