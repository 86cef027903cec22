"""``warning serve``: the feed scheduler in the foreground until interrupted."""

from __future__ import annotations

import logging

from rich.table import Table

from warning.cli.data import feeds_context
from warning.cli.output import console, ruleset
from warning.clock import desk_now
from warning.jobs.pipeline import after_feed_run
from warning.jobs.scheduler import build_feed_scheduler


def serve() -> None:
    """Run the feed scheduler in the foreground (in WARNING_TIMEZONE) until interrupted."""
    context, definitions = feeds_context()
    rules = ruleset(context)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    scheduler, caught_up = build_feed_scheduler(
        context.factory,
        definitions=definitions.feeds,
        blocking=True,
        secrets=context.settings.feed_secrets,
        timezone=context.settings.timezone,
        on_outcome=lambda outcome: after_feed_run(context, rules, outcome),
    )
    now = desk_now(context.settings)
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
