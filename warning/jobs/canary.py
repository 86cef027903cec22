"""The canary: each live feed called once for its latest expected period, nothing stored.

``warning feeds check [--feed ID]`` and a daily job in ``warning serve`` run it. A live feed is
one that fetches (every source but ``file``). A per-day library feed asks for the latest
trading day before today (a whole day the source has published); the others are called as
they are. Per feed: rows, whether the columns were as expected (a shape change is the one
failure that says they were not), how long it took, and the error. Nothing is stored; raw
frames are kept like a run's. The report is kept in ``<var_dir>/feeds-canary.json`` for the
feeds page and ``warning feeds status``.

It also says when the trading calendar the library checks dates against ends within
:data:`CALENDAR_WARNING_DAYS` days: after it, AKShare answers every daily call with an empty
frame.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from feeds.definitions import FeedDefinition
from feeds.engine import fetch
from feeds.http import HttpPolicy
from feeds.library import FrameKeeper, FunctionTable, ImportedAkshare, is_open
from feeds.result import FetchStatus
from warning import clock
from warning.jobs import kept_reports
from warning.settings import Settings

log = logging.getLogger(__name__)
CALENDAR_WARNING_DAYS: Final = 30
REPORT_FILE: Final = "feeds-canary.json"
_SHAPE_CHANGED: Final = ("(has the layout changed?)", "to select rows by")


@dataclass(frozen=True)
class CanaryLine:
    """One feed's check: ``status`` ok, failed or skipped."""

    feed_id: str
    status: str
    rows: int = 0
    columns_ok: bool = True
    seconds: float = 0.0
    asked: str = "latest"  # the period asked for
    location: str = ""
    problem: str = ""

    @property
    def failed(self) -> bool:
        return self.status == "failed"

    def text(self) -> str:
        """One line, as ``warning feeds check`` prints it."""
        columns = "columns as expected" if self.columns_ok else "columns NOT as expected"
        head = f"{self.status.upper():7} {self.feed_id}: "
        if self.status == "skipped":
            return head + self.problem
        body = f"{self.rows} rows for {self.asked}, {columns}, {self.seconds:.2f} s"
        return head + body + (f"; {self.problem}" if self.problem else f"; {self.location}")


@dataclass(frozen=True)
class CanaryReport:
    at: datetime
    lines: tuple[CanaryLine, ...]
    seconds: float
    calendar_end: date | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def failed(self) -> list[CanaryLine]:
        return [line for line in self.lines if line.failed]


def live_feeds(definitions: Iterable[FeedDefinition]) -> list[FeedDefinition]:
    """The feeds that fetch from somewhere (not local files)."""
    return [feed for feed in definitions if feed.source != "file"]


def latest_trading_day(today: date, calendar: frozenset[date] | None) -> date:
    """The last trading day before ``today``: the library's calendar where it covers the
    day, else the approximate exchange calendar."""
    day = today - timedelta(days=1)
    while not is_open(day, calendar):
        day -= timedelta(days=1)
    return day


def calendar_warning(end: date | None, *, today: date, name: str) -> str | None:
    """The warning when the library's trading calendar ends within 30 days (or has ended)."""
    if end is None:
        return None
    left = (end - today).days
    if left > CALENDAR_WARNING_DAYS:
        return None
    when = f"in {left} days" if left >= 0 else f"{-left} days ago"
    return (
        f"{name}'s trading calendar ends on {end} ({when}): after it every daily call answers an "
        "empty frame and those feeds fail; update the library (pip install -U akshare) before"
    )


def check_feeds(
    definitions: Iterable[FeedDefinition],
    *,
    today: date,
    functions: FunctionTable | None = None,
    replay: bool = False,
    keeper: FrameKeeper | None = None,
    secrets: Mapping[str, str] | None = None,
    policy: HttpPolicy | None = None,
) -> CanaryReport:
    """Call each live feed once (see the module docstring); never raises for a feed."""
    table = functions or ImportedAkshare()
    began = time.monotonic()
    try:
        days = table.calendar()
    except Exception as error:  # a broken install must not stop the canary
        log.warning("the library's trading calendar is unreadable: %s", error)
        days = None
    latest = latest_trading_day(today, days)
    lines = [
        _check(
            feed,
            today=today,
            latest=latest,
            table=table,
            replay=replay,
            keeper=keeper,
            secrets=secrets,
            policy=policy or HttpPolicy(clock=clock.now),
        )
        for feed in live_feeds(definitions)
    ]
    end = max(days) if days else None
    warning = calendar_warning(end, today=today, name=getattr(table, "name", "the library"))
    return CanaryReport(
        at=clock.now(),
        lines=tuple(lines),
        seconds=time.monotonic() - began,
        calendar_end=end,
        warnings=(warning,) if warning else (),
    )


def _check(
    feed: FeedDefinition,
    *,
    today: date,
    latest: date,
    table: FunctionTable,
    replay: bool,
    keeper: FrameKeeper | None,
    secrets: Mapping[str, str] | None,
    policy: HttpPolicy,
) -> CanaryLine:
    if replay and feed.source != "akshare":
        return CanaryLine(feed.id, "skipped", problem=f"a {feed.source} feed is not replayed")
    probe, since, asked = feed, None, "latest"
    if feed.akshare is not None:
        changes: dict[str, object] = {"interval_s": 0} if replay else {}  # no host is called
        if feed.akshare.per_day:
            changes["max_days"] = 1
            since, asked = latest - timedelta(days=1), latest.isoformat()
        probe = feed.model_copy(update={"akshare": feed.akshare.model_copy(update=changes)})
    started = time.monotonic()
    try:
        result = fetch(
            probe,
            known=probe.specs(),
            last_values={},
            validators=None,
            today=today,
            since=since,
            secrets=secrets,
            policy=policy,
            functions=table,
            keeper=keeper,
        )
    except Exception as error:  # fetch never raises for a source; anything else is reported
        log.exception("canary: feed %s", feed.id)
        return CanaryLine(
            feed.id,
            "failed",
            seconds=time.monotonic() - started,
            asked=asked,
            problem=f"unexpected {type(error).__name__}: {error}",
        )
    seconds = time.monotonic() - started
    problem = ""
    if result.status == FetchStatus.FAILED:
        problem = result.error or "failed"
    elif result.status == FetchStatus.OK and result.accepted == 0:
        problem = f"no rows accepted ({result.rejected} refused)"
    return CanaryLine(
        feed.id,
        "failed" if problem else "ok",
        rows=result.accepted,
        seconds=seconds,
        asked=asked,
        location=result.location,
        columns_ok=not any(text in problem for text in _SHAPE_CHANGED),
        problem=problem,
    )


def report_path(settings: Settings) -> Path:
    return settings.var_dir / REPORT_FILE


def save_report(settings: Settings, report: CanaryReport) -> None:
    """Keep the last report for the feeds page; a failure to write is logged, not raised."""
    document = {
        "at": report.at.isoformat(),
        "seconds": report.seconds,
        "calendar_end": report.calendar_end.isoformat() if report.calendar_end else None,
        "warnings": list(report.warnings),
        "lines": [asdict(line) for line in report.lines],
    }
    kept_reports.keep(report_path(settings), document, what="canary report")


def load_report(settings: Settings) -> CanaryReport | None:
    """The last kept report, or None (never run, or unreadable)."""
    return kept_reports.read(report_path(settings), _report_of, what="canary report")


def _report_of(document: dict[str, Any]) -> CanaryReport:
    end = document.get("calendar_end")
    return CanaryReport(
        at=datetime.fromisoformat(document["at"]),
        seconds=float(document["seconds"]),
        calendar_end=date.fromisoformat(end) if end else None,
        warnings=tuple(document.get("warnings", ())),
        lines=tuple(CanaryLine(**line) for line in document["lines"]),
    )


CANARY_JOB: Final = "feeds:canary"
CANARY_TIME: Final = (8, 0)  # desk time: after the exchanges' and 100ppi's overnight updates


def run_canary(
    settings: Settings,
    definitions: Iterable[FeedDefinition],
    *,
    keeper: FrameKeeper | None = None,
) -> CanaryReport:
    """The scheduled canary: check every enabled live feed, keep the report, log failures."""
    feeds = [feed for feed in live_feeds(definitions) if feed.enabled]
    report = check_feeds(
        feeds,
        today=clock.desk_today(settings),
        keeper=keeper,
        secrets=settings.feed_secrets,
    )
    save_report(settings, report)
    for line in report.failed:
        log.warning("canary: %s", line.text())
    for warning in report.warnings:
        log.warning("canary: %s", warning)
    return report
