"""The daily cross-check: series the feeds store, compared with a second source of them.

Each cross-check of the feed set (:class:`feeds.definitions.CrossCheck`, ``cross_checks:``
in ``live.yaml``) is fetched for the ``days`` days before today (today's data may not be
published yet; nothing of it is stored) and
compared with the stored values of the same series on the periods both have
(:func:`feeds.crosscheck.compare`; values flagged suspect are left out, they are flagged
already). Per series the report says ``ok``, ``flagged`` (a difference beyond the
tolerance: the worst one is named), ``failed`` (the second source failed) or ``nothing``
(no period in common). ``warning feeds cross-check`` and a daily job of ``warning serve``
run it; the report is kept in ``<var_dir>/feeds-cross-checks.json`` for the feeds page and
``warning feeds status``.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from feeds.crosscheck import SeriesComparison, compare
from feeds.definitions import CrossCheck
from feeds.engine import fetch
from feeds.http import HttpPolicy
from feeds.library import FrameKeeper, FunctionTable
from feeds.result import FetchStatus
from warning import clock
from warning.catalog.models import Observation
from warning.jobs import kept_reports
from warning.settings import Settings
from warning.store import read_only

log = logging.getLogger(__name__)
REPORT_FILE: Final = "feeds-cross-checks.json"
CROSS_CHECK_JOB: Final = "feeds:cross-check"
CROSS_CHECK_TIME: Final = (8, 30)  # desk time: after the canary, on the day's stored values


class CrossCheckStatus(StrEnum):
    OK = "ok"
    FLAGGED = "flagged"
    FAILED = "failed"
    NOTHING = "nothing"  # no period both sides have


@dataclass(frozen=True)
class CrossCheckLine:
    """One series of one cross-check; ``worst_*`` name the largest difference when flagged."""

    check_id: str
    series_id: str
    status: CrossCheckStatus
    tolerance: float
    compared: int = 0
    flagged_periods: int = 0
    worst_period: str | None = None
    ours: float | None = None
    theirs: float | None = None
    difference: float | None = None  # (theirs - ours) / |ours|
    problem: str = ""

    @property
    def worst_day(self) -> date | None:
        return date.fromisoformat(self.worst_period) if self.worst_period else None

    @property
    def needs_attention(self) -> bool:
        return self.status in (CrossCheckStatus.FLAGGED, CrossCheckStatus.FAILED)

    def text(self) -> str:
        """One line, as ``warning feeds cross-check`` prints it."""
        head = f"{self.status.upper():7} {self.check_id} {self.series_id}: "
        if self.status == CrossCheckStatus.FAILED:
            return head + self.problem
        if self.status == CrossCheckStatus.NOTHING:
            return head + "no period in common"
        body = f"{self.compared} periods compared, tolerance {self.tolerance:.1%}"
        if self.status == CrossCheckStatus.FLAGGED:
            body += (
                f"; {self.flagged_periods} beyond it, the largest on {self.worst_period}: "
                f"stored {self.ours:g}, second source {self.theirs:g} ({self.difference:+.1%})"
            )
        return head + body

    @classmethod
    def of(cls, comparison: SeriesComparison) -> CrossCheckLine:
        worst = comparison.worst
        if comparison.compared == 0:
            status = CrossCheckStatus.NOTHING
        else:
            status = CrossCheckStatus.FLAGGED if worst else CrossCheckStatus.OK
        return cls(
            check_id=comparison.check_id,
            series_id=comparison.series_id,
            status=status,
            tolerance=comparison.tolerance,
            compared=comparison.compared,
            flagged_periods=len(comparison.disagreements),
            worst_period=worst.period.isoformat() if worst else None,
            ours=worst.ours if worst else None,
            theirs=worst.theirs if worst else None,
            difference=worst.difference if worst else None,
        )


@dataclass(frozen=True)
class CrossCheckReport:
    at: datetime
    lines: tuple[CrossCheckLine, ...]

    @property
    def attention(self) -> list[CrossCheckLine]:
        return [line for line in self.lines if line.needs_attention]


def stored_values(
    session: Session, *, series_ids: Sequence[str], after: date, until: date
) -> dict[str, dict[date, float]]:
    """The stored, not suspect values of ``series_ids`` in ``(after, until]``."""
    found: dict[str, dict[date, float]] = defaultdict(dict)
    rows = session.execute(
        select(Observation.series_id, Observation.period, Observation.value).where(
            Observation.series_id.in_(series_ids),
            Observation.period > after,
            Observation.period <= until,
            Observation.suspect.is_(False),
        )
    )
    for series_id, period, value in rows:
        found[series_id][period] = value
    return found


def cross_check(
    factory: sessionmaker[Session],
    checks: Iterable[CrossCheck],
    *,
    today: date,
    functions: FunctionTable | None = None,
    keeper: FrameKeeper | None = None,
    secrets: Mapping[str, str] | None = None,
    policy: HttpPolicy | None = None,
) -> CrossCheckReport:
    """Fetch and compare each cross-check (see the module docstring); never raises for one."""
    lines: list[CrossCheckLine] = []
    for check in checks:
        lines += _check(
            factory,
            check,
            today=today,
            functions=functions,
            keeper=keeper,
            secrets=secrets,
            policy=policy or HttpPolicy(clock=clock.now),
        )
    return CrossCheckReport(at=clock.now(), lines=tuple(lines))


def _check(
    factory: sessionmaker[Session],
    check: CrossCheck,
    *,
    today: date,
    functions: FunctionTable | None,
    keeper: FrameKeeper | None,
    secrets: Mapping[str, str] | None,
    policy: HttpPolicy,
) -> list[CrossCheckLine]:
    until = today - timedelta(days=1)
    after = until - timedelta(days=check.days)
    try:
        result = fetch(
            check.feed,
            known=check.feed.specs(),
            last_values={},
            validators=None,
            today=until,
            since=after,
            secrets=secrets,
            policy=policy,
            functions=functions,
            keeper=keeper,
        )
        failed = result.status == FetchStatus.FAILED
        problem = (result.error or "failed") if failed else ""
    except Exception as error:  # fetch never raises for a source; anything else is reported
        log.exception("cross-check %s", check.id)
        problem = f"unexpected {type(error).__name__}: {error}"
    if problem:
        return [
            CrossCheckLine(
                check.id, series_id, CrossCheckStatus.FAILED, check.tolerance, problem=problem
            )
            for series_id in check.series_ids
        ]
    theirs: dict[str, dict[date, float]] = defaultdict(dict)
    frame = result.observations
    for series_id, stamp, value in zip(
        frame["series_id"], frame["period"], frame["value"], strict=True
    ):
        period = stamp.date()
        if after < period <= until:
            theirs[str(series_id)][period] = float(value)
    with read_only(factory) as session:
        ours = stored_values(session, series_ids=check.series_ids, after=after, until=until)
    return [
        CrossCheckLine.of(
            compare(
                check_id=check.id,
                series_id=series_id,
                tolerance=check.tolerance,
                ours=ours.get(series_id, {}),
                theirs=theirs.get(series_id, {}),
            )
        )
        for series_id in check.series_ids
    ]


def report_path(settings: Settings) -> Path:
    return settings.var_dir / REPORT_FILE


def save_report(settings: Settings, report: CrossCheckReport) -> None:
    """Keep the last report for the feeds page; a failure to write is logged, not raised."""
    document = {"at": report.at.isoformat(), "lines": [asdict(line) for line in report.lines]}
    kept_reports.keep(report_path(settings), document, what="cross-check report")


def load_report(settings: Settings) -> CrossCheckReport | None:
    """The last kept report, or None (never run, or unreadable)."""
    return kept_reports.read(report_path(settings), _report_of, what="cross-check report")


def _report_of(document: dict[str, Any]) -> CrossCheckReport:
    lines = tuple(
        CrossCheckLine(**{**line, "status": CrossCheckStatus(line["status"])})
        for line in document["lines"]
    )
    return CrossCheckReport(at=datetime.fromisoformat(document["at"]), lines=lines)


def run_cross_checks(
    settings: Settings,
    factory: sessionmaker[Session],
    checks: Iterable[CrossCheck],
    *,
    keeper: FrameKeeper | None = None,
) -> CrossCheckReport:
    """The scheduled cross-check: run every check, keep the report, log what needs a look."""
    report = cross_check(
        factory,
        checks,
        today=clock.desk_today(settings),
        keeper=keeper,
        secrets=settings.feed_secrets,
    )
    save_report(settings, report)
    for line in report.attention:
        log.warning("cross-check: %s", line.text())
    return report
