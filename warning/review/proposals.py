"""From an evaluation to review items: what changed, and what the policy decides at once.

For each material assessed by a current evaluation (not a replay of an earlier date), its
proposal (level, direction) is compared with its active warning:

- the same: an open item for the material is superseded (the indicators went back);
- different: the open item is updated (it keeps its age), or a new item is made, unless the
  analysts have already decided on this very proposal (rejected it, or adjusted it to what
  the warning is now): the same proposal is not asked again until the indicators say
  something else;
- ``no_data`` proposes nothing: missing data neither starts nor ends a warning.

A new item whose change a silence mutes for everyone (:mod:`warning.review.silences`: one
without an enterprise matcher) is approved by policy without notifying; otherwise the policy
may approve it (by default blue proposals and ends of warning).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vocabulary import Level
from warning.audit import record
from warning.evaluation.models import Assessment, EvaluationRun
from warning.review.changes import Standing, kind_of_change, standing_of
from warning.review.decisions import active_warning, approve_by_policy
from warning.review.lifecycle import next_state
from warning.review.models import ReviewItem
from warning.review.policy import ReviewPolicy
from warning.review.silences import change_of_item, silence_for
from warning.review.snapshots import item_snapshot
from warning.review.states import (
    OPEN_STATES,
    SYSTEM_ACTOR,
    ChangeKind,
    ItemEvent,
    ItemState,
)
from warning.store import aware


@dataclass
class ProposalOutcome:
    """What one evaluation did to the queue."""

    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    superseded: list[int] = field(default_factory=list)
    approved_by_policy: list[int] = field(default_factory=list)


def is_current(session: Session, *, run: EvaluationRun) -> bool:
    """Whether ``run`` is for the newest date evaluated so far (not a replay)."""
    newest = session.scalar(select(func.max(EvaluationRun.as_of)))
    return newest is None or run.as_of >= newest


def propose(
    session: Session, *, run_id: int, policy: ReviewPolicy, now: datetime
) -> ProposalOutcome:
    """Turn evaluation run ``run_id``'s assessments into review items (module docstring)."""
    outcome = ProposalOutcome()
    run = session.get(EvaluationRun, run_id)
    if run is None or not is_current(session, run=run):
        return outcome
    assessments = session.scalars(
        select(Assessment).where(Assessment.evaluation_run_id == run_id).order_by(Assessment.id)
    )
    for assessment in assessments:
        _propose_one(session, assessment, policy=policy, now=now, outcome=outcome)
    return outcome


def _propose_one(
    session: Session,
    assessment: Assessment,
    *,
    policy: ReviewPolicy,
    now: datetime,
    outcome: ProposalOutcome,
) -> None:
    if assessment.level == Level.NO_DATA:
        return
    material = assessment.material_id
    proposal = Standing.of(assessment.level, assessment.direction)
    current = standing_of(active_warning(session, material_id=material))
    item = open_item(session, material_id=material)
    kind = kind_of_change(current, proposal)
    if kind is None:
        if item is not None:
            _supersede(session, item, now=now)
            outcome.superseded.append(item.id)
        return
    if item is not None:
        if _update(session, item, assessment, proposal, kind, policy=policy, now=now):
            outcome.updated.append(item.id)
        return
    if proposal == last_decided_proposal(session, material_id=material):
        return
    item = _create(session, assessment, proposal, current, kind, policy=policy, now=now)
    outcome.created.append(item.id)
    silence = silence_for(session, change=change_of_item(session, item), at=now)
    if silence is not None:
        item.silenced = True
        why = f"silenced until {silence.ends_at:%Y-%m-%d %H:%M}: {silence.comment}"
        approve_by_policy(session, item=item, why=why, notify=False, now=now)
        outcome.approved_by_policy.append(item.id)
    elif policy.approves_itself(proposal.level, kind):
        why = f"auto-approval policy ({proposal.level}, {kind})"
        approve_by_policy(session, item=item, why=why, notify=True, now=now)
        outcome.approved_by_policy.append(item.id)


def open_item(session: Session, *, material_id: str) -> ReviewItem | None:
    """The material's undecided item (pending or snoozed), if any."""
    return session.scalar(
        select(ReviewItem).where(
            ReviewItem.material_id == material_id, ReviewItem.state.in_(OPEN_STATES)
        )
    )


def last_decided_proposal(session: Session, *, material_id: str) -> Standing | None:
    """What the indicators proposed in the material's most recent decided item."""
    item = session.scalar(
        select(ReviewItem)
        .where(
            ReviewItem.material_id == material_id,
            ReviewItem.state.in_([ItemState.APPROVED, ItemState.REJECTED]),
        )
        .order_by(ReviewItem.decided_at.desc(), ReviewItem.id.desc())
        .limit(1)
    )
    return None if item is None else Standing.of(item.level, item.direction)


def _create(
    session: Session,
    assessment: Assessment,
    proposal: Standing,
    current: Standing,
    kind: ChangeKind,
    *,
    policy: ReviewPolicy,
    now: datetime,
) -> ReviewItem:
    item = ReviewItem(
        material_id=assessment.material_id,
        state=ItemState.PENDING,
        kind=kind,
        from_level=current.level,
        from_direction=current.direction,
        level=proposal.level,
        direction=proposal.direction,
        reasons_zh=assessment.reasons_zh,
        reasons_en=assessment.reasons_en,
        assessment_id=assessment.id,
        ruleset_version=assessment.ruleset_version,
        silenced=False,
        created_at=now,
        updated_at=now,
        deadline_at=policy.deadline(proposal.level, now),
        overdue=False,
    )
    session.add(item)
    session.flush()
    record(
        session,
        at=now,
        actor=SYSTEM_ACTOR,
        action="created",
        material_id=item.material_id,
        review_item_id=item.id,
        after=item_snapshot(item),
        comment=f"evaluation as of {assessment.as_of}",
    )
    return item


def _update(
    session: Session,
    item: ReviewItem,
    assessment: Assessment,
    proposal: Standing,
    kind: ChangeKind,
    *,
    policy: ReviewPolicy,
    now: datetime,
) -> bool:
    """Point the item at the newer assessment; audit it when the proposal changed."""
    changed = Standing.of(item.level, item.direction) != proposal
    before = item_snapshot(item)
    item.state = next_state(item.id, item.state, ItemEvent.UPDATE)
    item.assessment_id, item.ruleset_version = assessment.id, assessment.ruleset_version
    item.reasons_zh, item.reasons_en = assessment.reasons_zh, assessment.reasons_en
    if not changed:
        return False
    item.level, item.direction, item.kind = proposal.level, proposal.direction, kind
    item.updated_at = now
    item.deadline_at = _earlier(item.deadline_at, policy.deadline(proposal.level, item.created_at))
    session.flush()
    record(
        session,
        at=now,
        actor=SYSTEM_ACTOR,
        action="updated",
        material_id=item.material_id,
        review_item_id=item.id,
        before=before,
        after=item_snapshot(item),
        comment=f"evaluation as of {assessment.as_of}",
    )
    return True


def _supersede(session: Session, item: ReviewItem, *, now: datetime) -> None:
    before = item_snapshot(item)
    item.state = next_state(item.id, item.state, ItemEvent.SUPERSEDE)
    item.updated_at, item.decided_at = now, now
    session.flush()
    record(
        session,
        at=now,
        actor=SYSTEM_ACTOR,
        action="superseded",
        material_id=item.material_id,
        review_item_id=item.id,
        before=before,
        after=item_snapshot(item),
        comment="the indicators went back to the warning's level",
    )


def _earlier(first: datetime | None, second: datetime | None) -> datetime | None:
    """The earlier deadline (an escalated proposal may shorten it, never lengthen it)."""
    first, second = aware(first), aware(second)
    if first is None or second is None:
        return first or second
    return min(first, second)
