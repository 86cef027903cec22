"""Deciding review items: approve, adjust, reject, snooze, and approval by policy.

Each function takes the caller's session, checks the move against the transition table
(:mod:`warning.review.lifecycle`), applies it, writes the audit entry and, for an approval,
makes, updates or resolves the material's warning and records the warning event, all in that
one transaction. Two people deciding the same item at once: the second is refused with
:class:`~warning.review.lifecycle.InvalidMove` (the item's version moved), nothing changed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from vocabulary import Direction, Level
from warning.audit import record
from warning.review.changes import Standing, kind_of_change, standing_of
from warning.review.events import make_event
from warning.review.lifecycle import InvalidMove, ItemNotFound, next_state
from warning.review.models import MaterialWarning, ReviewItem
from warning.review.snapshots import item_snapshot, warning_snapshot
from warning.review.states import POLICY_ACTOR, ChangeKind, ItemEvent, WarningState

DECIDABLE_LEVELS = (Level.NORMAL, Level.BLUE, Level.YELLOW, Level.RED)


def get_item(session: Session, *, item_id: int) -> ReviewItem:
    """The review item ``item_id``; :class:`ItemNotFound` when there is none."""
    item = session.get(ReviewItem, item_id)
    if item is None:
        raise ItemNotFound(f"no review item {item_id}")
    return item


def active_warning(session: Session, *, material_id: str) -> MaterialWarning | None:
    """The material's active warning, if it has one."""
    return session.scalar(
        select(MaterialWarning).where(
            MaterialWarning.material_id == material_id,
            MaterialWarning.state == WarningState.ACTIVE,
        )
    )


def approve(
    session: Session, *, item_id: int, actor: str, comment: str | None, now: datetime
) -> ReviewItem:
    """Approve the proposal as it stands."""
    item = get_item(session, item_id=item_id)
    return _decide(session, item, ItemEvent.APPROVE, actor=actor, comment=comment, now=now)


def adjust(
    session: Session,
    *,
    item_id: int,
    actor: str,
    reason: str,
    now: datetime,
    level: Level | None = None,
    direction: Direction | None = None,
    text_zh: str | None = None,
    text_en: str | None = None,
) -> ReviewItem:
    """Approve with a changed level, direction or text; ``reason`` says why."""
    item = get_item(session, item_id=item_id)
    next_state(item.id, item.state, ItemEvent.ADJUST)  # refuse a decided item first
    _require(item, reason, "an adjustment needs a reason")
    final = _adjusted_standing(item, level, direction)
    if final == Standing.of(item.level, item.direction) and text_zh is None and text_en is None:
        raise InvalidMove(item.id, "an adjustment must change the level, direction or text")
    before = item_snapshot(item)  # the audit's before: the item as it was, not yet adjusted
    item.final_level, item.final_direction = final.level, final.direction
    item.final_text_zh, item.final_text_en = text_zh, text_en
    return _decide(
        session, item, ItemEvent.ADJUST, actor=actor, comment=reason, now=now, before=before
    )


def reject(session: Session, *, item_id: int, actor: str, reason: str, now: datetime) -> ReviewItem:
    """Reject the proposal; the warning stays as it is. ``reason`` is required."""
    item = get_item(session, item_id=item_id)
    next_state(item.id, item.state, ItemEvent.REJECT)  # refuse a decided item first
    _require(item, reason, "a rejection needs a reason")
    return _decide(session, item, ItemEvent.REJECT, actor=actor, comment=reason, now=now)


def snooze(
    session: Session,
    *,
    item_id: int,
    actor: str,
    until: datetime,
    comment: str | None,
    now: datetime,
) -> ReviewItem:
    """Put the item aside until ``until`` (which must be in the future)."""
    item = get_item(session, item_id=item_id)
    next_state(item.id, item.state, ItemEvent.SNOOZE)  # refuse a decided item first
    until = until.astimezone(UTC)  # stored as UTC (SQLite keeps no offset)
    if until <= now:
        raise InvalidMove(item.id, f"snooze until {until.isoformat()} is not in the future")
    before = item_snapshot(item)
    item.state = next_state(item.id, item.state, ItemEvent.SNOOZE)
    item.snoozed_until, item.updated_at = until, now
    _flush(session, item)
    record(
        session,
        at=now,
        actor=actor,
        action="snoozed",
        material_id=item.material_id,
        review_item_id=item.id,
        before=before,
        after=item_snapshot(item),
        comment=comment,
    )
    return item


def approve_by_policy(
    session: Session, *, item: ReviewItem, why: str, notify: bool, now: datetime
) -> ReviewItem:
    """Approve on the policy's behalf (auto-approval, a silence, an overdue deadline)."""
    return _decide(
        session,
        item,
        ItemEvent.AUTO_APPROVE,
        actor=POLICY_ACTOR,
        comment=why,
        now=now,
        notify=notify,
    )


def _decide(
    session: Session,
    item: ReviewItem,
    event: ItemEvent,
    *,
    actor: str,
    comment: str | None,
    now: datetime,
    notify: bool | None = None,
    before: dict[str, Any] | None = None,
) -> ReviewItem:
    before = item_snapshot(item) if before is None else before
    item.state = next_state(item.id, item.state, event)
    item.decided_at, item.decided_by, item.comment, item.updated_at = now, actor, comment, now
    item.snoozed_until = None
    _flush(session, item)
    warning_before = warning_snapshot(active_warning(session, material_id=item.material_id))
    if event is not ItemEvent.REJECT:
        _apply(session, item, now=now, notify=(not item.silenced) if notify is None else notify)
    record(
        session,
        at=now,
        actor=actor,
        action=_ACTIONS[event],
        material_id=item.material_id,
        review_item_id=item.id,
        warning_id=item.warning_id,
        before={"item": before, "warning": warning_before},
        after={
            "item": item_snapshot(item),
            "warning": warning_snapshot(active_warning(session, material_id=item.material_id)),
        },
        comment=comment,
    )
    return item


_ACTIONS = {
    ItemEvent.APPROVE: "approved",
    ItemEvent.ADJUST: "adjusted",
    ItemEvent.REJECT: "rejected",
    ItemEvent.AUTO_APPROVE: "approved_by_policy",
}


def _apply(session: Session, item: ReviewItem, *, now: datetime, notify: bool) -> None:
    """Make, update or resolve the material's warning as the approved item says."""
    warning = active_warning(session, material_id=item.material_id)
    current = standing_of(warning)
    final = Standing.of(item.final_level or item.level, item.final_direction or item.direction)
    text_zh = item.final_text_zh or item.reasons_zh
    text_en = item.final_text_en or item.reasons_en
    kind = kind_of_change(current, final)
    if warning is None and final.level is Level.NORMAL:
        return  # nothing to start, nothing to end
    if warning is None:
        warning = MaterialWarning(
            material_id=item.material_id,
            state=WarningState.ACTIVE,
            started_at=now,
            level=final.level,
            direction=final.direction,
        )
        session.add(warning)
    if kind is ChangeKind.END:
        warning.state, warning.resolved_at = WarningState.RESOLVED, now
    else:
        warning.level, warning.direction = final.level, final.direction
    warning.text_zh, warning.text_en, warning.updated_at = text_zh, text_en, now
    session.flush()
    item.warning_id = warning.id
    if kind is not None:
        session.add(
            make_event(
                session,
                item=item,
                warning=warning,
                kind=kind,
                final=final,
                previous=current,
                notify=notify,
                now=now,
            )
        )
    _flush(session, item)


def _adjusted_standing(
    item: ReviewItem, level: Level | None, direction: Direction | None
) -> Standing:
    final_level = Level(level) if level is not None else Level(item.level)
    if final_level not in DECIDABLE_LEVELS:
        raise InvalidMove(item.id, f"cannot adjust to {final_level}; expected normal or a level")
    final_direction = Direction(direction) if direction is not None else Direction(item.direction)
    if final_level is not Level.NORMAL and final_direction is Direction.NONE:
        raise InvalidMove(item.id, f"a {final_level} warning needs a direction, up or down")
    return Standing.of(final_level, final_direction)


def _require(item: ReviewItem, text: str | None, message: str) -> None:
    if text is None or not text.strip():
        raise InvalidMove(item.id, message)


def _flush(session: Session, item: ReviewItem) -> None:
    """Write the item, refusing the move if someone else moved it since it was read."""
    item_id = item.id  # read now: a failed flush expires the item
    try:
        session.flush()
    except StaleDataError:
        raise InvalidMove(
            item_id, "it was changed by someone else meanwhile; reload it and decide again"
        ) from None
