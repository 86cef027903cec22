"""Building evaluation runs by hand, so lifecycle tests say exactly what the indicators said."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vocabulary import Direction, Level
from warning.audit import AuditEntry
from warning.evaluation.models import Assessment, EvaluationRun
from warning.review.policy import ReviewPolicy
from warning.review.proposals import ProposalOutcome, propose

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
POLICY = ReviewPolicy()  # the defaults: blue and ends approve themselves


def evaluation(
    session: Session,
    levels: dict[str, tuple[str, str]],
    *,
    as_of: date = date(2026, 11, 30),
    reasons: dict[str, tuple[str, str]] | None = None,
) -> int:
    """An evaluation run whose assessments say ``{material: (level, direction)}``, with the
    rules' statements (one per line) of ``reasons[material]`` when given, confirmed as of
    that day."""
    run = EvaluationRun(
        as_of=as_of, ruleset_version="test-1", started_at=T0, finished_at=T0, trigger="test"
    )
    session.add(run)
    session.flush()
    for material, (level, direction) in levels.items():
        session.add(
            Assessment(
                evaluation_run_id=run.id,
                material_id=material,
                as_of=as_of,
                period=as_of,
                level=Level(level),
                direction=Direction(direction),
                score=None,
                reasons_zh=(reasons or {}).get(material, (f"{material} {level}", ""))[0],
                reasons_en=(reasons or {}).get(
                    material, ("", f"{material} is {level} {direction}")
                )[1],
                ruleset_version="test-1",
                basis="confirmed",
                level_since=as_of,
            )
        )
    session.flush()
    return run.id


def step(
    session: Session,
    levels: dict[str, tuple[str, str]],
    *,
    day: int = 0,
    policy: ReviewPolicy = POLICY,
    now: datetime | None = None,
    reasons: dict[str, tuple[str, str]] | None = None,
) -> ProposalOutcome:
    """Evaluate as of 30 November + ``day`` and propose, at 09:00 that day (or ``now``)."""
    as_of = date(2026, 11, 30) + timedelta(days=day)
    run_id = evaluation(session, levels, as_of=as_of, reasons=reasons)
    moment = now or T0 + timedelta(days=day)
    return propose(session, run_id=run_id, policy=policy, now=moment)


def audit_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry)) or 0
