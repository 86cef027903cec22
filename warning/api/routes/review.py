"""The review queue, its items and decisions, and the warnings they make."""

from __future__ import annotations

from fastapi import APIRouter

from vocabulary import ChangeKind, Level
from warning import clock
from warning.api.deps import Context, Db, Operator, Viewer
from warning.api.fields import Limit, MaterialFilter, Offset, RowId, SectorFilter
from warning.api.schemas import (
    AdjustIn,
    ApproveIn,
    Page,
    RejectIn,
    ReviewItemOut,
    SnoozeIn,
    WarningOut,
)
from warning.review import decisions
from warning.review.queries import list_items, list_warnings
from warning.review.states import ItemState, WarningState

router = APIRouter(tags=["review"])


@router.get("/review-items", response_model=Page[ReviewItemOut])
def review_items(
    db: Db,
    user: Viewer,
    state: ItemState | None = None,
    level: Level | None = None,
    sector: SectorFilter = None,
    kind: ChangeKind | None = None,
    material: MaterialFilter = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ReviewItemOut]:
    """Items, escalated first, then by severity (red first), then oldest first."""
    items, total = list_items(
        db,
        state=state,
        level=level,
        sector=sector,
        kind=kind,
        material_id=material,
        limit=limit,
        offset=offset,
    )
    return Page.of(ReviewItemOut, items, total=total, limit=limit, offset=offset)


@router.get("/review-items/{item_id}", response_model=ReviewItemOut)
def review_item(item_id: RowId, db: Db, user: Viewer) -> ReviewItemOut:
    return ReviewItemOut.model_validate(decisions.get_item(db, item_id=item_id))


@router.post("/review-items/{item_id}/approve", response_model=ReviewItemOut)
def approve(
    item_id: RowId, body: ApproveIn, db: Db, context: Context, user: Operator
) -> ReviewItemOut:
    """Approve the proposal: the warning is made, updated or resolved."""
    item = decisions.approve(
        db, item_id=item_id, actor=user.name, comment=body.comment, now=clock.now()
    )
    return ReviewItemOut.model_validate(item)


@router.post("/review-items/{item_id}/reject", response_model=ReviewItemOut)
def reject(item_id: RowId, body: RejectIn, db: Db, user: Operator) -> ReviewItemOut:
    """Reject the proposal (a reason is required); the warning stays as it is."""
    item = decisions.reject(
        db, item_id=item_id, actor=user.name, reason=body.reason, now=clock.now()
    )
    return ReviewItemOut.model_validate(item)


@router.post("/review-items/{item_id}/adjust", response_model=ReviewItemOut)
def adjust(
    item_id: RowId, body: AdjustIn, db: Db, context: Context, user: Operator
) -> ReviewItemOut:
    """Approve with a changed level, direction or text (a reason is required)."""
    item = decisions.adjust(
        db,
        item_id=item_id,
        actor=user.name,
        reason=body.reason,
        now=clock.now(),
        level=body.level,
        direction=body.direction,
        text_zh=body.text_zh,
        text_en=body.text_en,
    )
    return ReviewItemOut.model_validate(item)


@router.post("/review-items/{item_id}/snooze", response_model=ReviewItemOut)
def snooze(item_id: RowId, body: SnoozeIn, db: Db, user: Operator) -> ReviewItemOut:
    """Put the item aside until a later time."""
    item = decisions.snooze(
        db,
        item_id=item_id,
        actor=user.name,
        until=body.until,
        comment=body.comment,
        now=clock.now(),
    )
    return ReviewItemOut.model_validate(item)


@router.get("/warnings", response_model=Page[WarningOut])
def warnings(
    db: Db,
    user: Viewer,
    state: WarningState | None = None,
    material: MaterialFilter = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[WarningOut]:
    """Warnings, newest change first."""
    rows, total = list_warnings(db, state=state, material_id=material, limit=limit, offset=offset)
    return Page.of(WarningOut, rows, total=total, limit=limit, offset=offset)
