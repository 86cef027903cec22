"""Silences and the audit log."""

from __future__ import annotations

from fastapi import APIRouter, status

from warning import clock
from warning.api.deps import Db, Operator, Viewer
from warning.api.fields import Limit, MaterialFilter, Offset, OptionalRowId, RowId
from warning.api.schemas import REFUSED_INPUT, AuditOut, Page, SilenceIn, SilenceOut
from warning.audit import entries
from warning.review.queries import list_silences
from warning.review.silences import create_silence, delete_silence

router = APIRouter(tags=["silences and audit"])


@router.get("/silences", response_model=Page[SilenceOut])
def silences(
    db: Db, user: Viewer, include_ended: bool = False, limit: Limit = 50, offset: Offset = 0
) -> Page[SilenceOut]:
    """Silences, newest first, each with its state now (deleted ones only with
    ``include_ended``)."""
    rows = list_silences(db, include_ended=include_ended)
    now = clock.now()
    shown = [SilenceOut.of(row, now=now) for row in rows[offset : offset + limit]]
    return Page(items=shown, total=len(rows), limit=limit, offset=offset)


@router.post(
    "/silences",
    response_model=SilenceOut,
    status_code=status.HTTP_201_CREATED,
    responses=REFUSED_INPUT,
)
def add_silence(body: SilenceIn, db: Db, user: Operator) -> SilenceOut:
    """Mute the changes matching the matchers (none: every change) from ``starts_at`` (null:
    now) until ``ends_at``; with ``enterprise``, only that enterprise's deliveries. 404 for an
    unknown material, sector or enterprise; 409 for an end not in the future."""
    now = clock.now()
    silence = create_silence(
        db,
        material_id=body.material,
        sector=body.sector,
        level=body.level,
        direction=body.direction,
        enterprise=body.enterprise,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        comment=body.comment,
        actor=user.name,
        now=now,
    )
    return SilenceOut.of(silence, now=now)


@router.delete("/silences/{silence_id}", response_model=SilenceOut)
def remove_silence(silence_id: RowId, db: Db, user: Operator) -> SilenceOut:
    """End a silence now (expire it), or call off one that has not started."""
    now = clock.now()
    silence = delete_silence(db, silence_id=silence_id, actor=user.name, now=now)
    return SilenceOut.of(silence, now=now)


@router.get("/audit", response_model=Page[AuditOut])
def audit(
    db: Db,
    user: Viewer,
    material: MaterialFilter = None,
    item: OptionalRowId = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[AuditOut]:
    """The audit log, newest first, for a material and/or a review item."""
    rows, total = entries(db, material_id=material, review_item_id=item, limit=limit, offset=offset)
    return Page.of(AuditOut, rows, total=total, limit=limit, offset=offset)
