"""The demo: the service's main job once, on embedded defaults and the bundled sample.

It initialises the store, loads the sample directory of (fictional) enterprises and every
bundled sample file through the same ingestion path as real files, derives the series
computed from them (the weekly means of the daily series,
:mod:`warning.feeding.derivation`), evaluates eight weeks of staged history and then every
material as of a stated date (by default the newest period in the sample), delivers the
demo day's approved changes to its own local sinks (the staged history is recorded as
history, not sent), and shows the board with each level and its reasons,
naming the series that are stale on that date instead of hiding them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Final

from sqlalchemy import func, select

from warning.catalog.models import Observation
from warning.clock import desk_today
from warning.context import ServiceContext
from warning.directory.models import ContactEndpoint
from warning.errors import Invalid
from warning.evaluation.board import MaterialLine, material_lines
from warning.evaluation.runs import load_ruleset
from warning.feeding.derivation import DerivationOutcome
from warning.feeding.ingest import IngestReport
from warning.feeding.staleness import StaleSeries, stale_series
from warning.jobs.delivery import deliver_due
from warning.jobs.demo_history import stage_history
from warning.jobs.demo_sinks import SAMPLE_ENDPOINTS, Sinks, demo_sinks
from warning.jobs.derivation import derive_after_ingest
from warning.jobs.directory import ImportResult, import_directory
from warning.jobs.ingest import ingest_file
from warning.jobs.pipeline import PIPELINE_LOCK, evaluate_and_store
from warning.store import locks, read_only, transaction


class DemoError(Invalid):
    """The demo cannot run on the configured sample."""


@dataclass(frozen=True)
class DemoResult:
    """What the demo did and found."""

    reports: tuple[IngestReport, ...]
    derivation: DerivationOutcome
    as_of: date
    lines: tuple[MaterialLine, ...]
    stale: tuple[StaleSeries, ...]
    directory: ImportResult | None = None
    delivered: dict[str, int] = field(default_factory=dict)


LOOPBACK: Final = "127.0.0.0/8,::1/128"


def demo_context(context: ServiceContext) -> ServiceContext:
    """The demo's own settings: alerts go out at once (no grouping wait) and may reach the
    local sinks on loopback."""
    allow = context.settings.webhook_allow or LOOPBACK
    settings = context.settings.model_copy(update={"group_wait": 0.0, "webhook_allow": allow})
    return replace(context, settings=settings)


def bundled_directory() -> Path:
    return Path(str(files("warning") / "data" / "directory.csv"))


def bundled_sample_dir() -> Path:
    return Path(str(files("warning") / "data" / "sample"))


def with_sinks(context: ServiceContext, sinks: Sinks) -> ServiceContext:
    """The demo's context sending its mail to its own catcher (unless an SMTP server is set)."""
    if context.settings.smtp_url:
        return context
    settings = context.settings.model_copy(update={"smtp_url": sinks.smtp_url})
    return replace(context, settings=settings)


def point_sample_endpoints(context: ServiceContext, sinks: Sinks) -> int:
    """Point the sample directory's endpoints (written for 127.0.0.1:8026) at this demo's own
    receiver; how many."""
    with transaction(context.factory) as session:
        endpoints = session.scalars(
            select(ContactEndpoint).where(ContactEndpoint.url.startswith(SAMPLE_ENDPOINTS))
        ).all()
        for endpoint in endpoints:
            endpoint.url = sinks.webhook_base + endpoint.url.removeprefix(SAMPLE_ENDPOINTS)
    return len(endpoints)


def run_demo(
    context: ServiceContext,
    *,
    as_of: date | None,
    on_report: Callable[[IngestReport], None] = lambda _report: None,
    sinks: Sinks | None = None,
) -> DemoResult:
    """Load the sample, then evaluate the board as of ``as_of`` (or the newest sample date),
    and deliver what the demo day decided into ``sinks`` (its own, when not given)."""
    if sinks is None:
        with demo_sinks(context.settings.var_dir) as own:
            return run_demo(context, as_of=as_of, on_report=on_report, sinks=own)
    context = with_sinks(context, sinks)
    sample_dir = context.settings.sample_dir or bundled_sample_dir()
    ruleset = load_ruleset(context.settings.rules_path, context.catalog)  # fail before loading
    directory = import_directory(context, bundled_directory(), actor="demo")
    point_sample_endpoints(context, sinks)
    reports = []
    for path in sorted(sample_dir.glob("*.csv")):
        report = ingest_file(
            context.factory,
            path,
            feed="sample",
            today=desk_today(context.settings),
            max_bytes=context.settings.max_file_bytes,
        )
        on_report(report)
        reports.append(report)
    with locks.held(context.engine, PIPELINE_LOCK):
        # before evaluation, which must see the derived values (as in derive_and_evaluate)
        derivation = derive_after_ingest(context.factory, [s for r in reports for s in r.stored])
        with read_only(context.factory) as session:
            as_of = as_of or session.scalar(select(func.max(Observation.period)))
        if as_of is None:
            raise DemoError(f"{sample_dir}: no observations were loaded (no *.csv with rows?)")
        stage_history(context, ruleset=ruleset, as_of=as_of)
        evaluate_and_store(context, ruleset=ruleset, as_of=as_of, trigger="demo")
    with read_only(context.factory) as session:
        lines = material_lines(session, catalog=context.catalog, as_of=as_of)
        stale = stale_series(session, as_of=as_of)
    delivered = deliver_due(context)
    return DemoResult(
        reports=tuple(reports),
        derivation=derivation,
        as_of=as_of,
        lines=tuple(lines),
        stale=tuple(stale),
        directory=directory,
        delivered=delivered,
    )
