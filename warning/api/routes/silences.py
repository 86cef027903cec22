"""Silences and the audit log."""

from __future__ import annotations

from fastapi import APIRouter, status

from warning import clock
from warning.api.deps import Db, Operator, Viewer
from warning.api.fields import Limit, MaterialFilter, Offset, OptionalRowId, RowId
from warning.api.schemas import AuditOut, Page, SilenceIn, SilenceOut
from warning.audit import entries
from warning.review.queries import list_silences
from warning.review.silences import create_silence, delete_silence

router = APIRouter(tags=["silences and audit"])


@router.get("/silences", response_model=Page[SilenceOut])
def silences(
    db: Db, user: Viewer, include_ended: bool = False, limit: Limit = 50, offset: Offset = 0
) -> Page[SilenceOut]:
    """Silences, newest first (deleted ones only with ``include_ended``)."""
    rows = list_silences(db, include_ended=include_ended)
    shown = rows[offset : offset + limit]
    return Page.of(SilenceOut, shown, total=len(rows), limit=limit, offset=offset)


@router.post("/silences", response_model=SilenceOut, status_code=status.HTTP_201_CREATED)
def add_silence(body: SilenceIn, db: Db, user: Operator) -> SilenceOut:
    """Mute a material (or every material, ``material: null``) until ``ends_at``."""
    silence = create_silence(
        db,
        material_id=body.material,
        ends_at=body.ends_at,
        comment=body.comment,
        actor=user.name,
        now=clock.now(),
    )
    return SilenceOut.model_validate(silence)


@router.delete("/silences/{silence_id}", response_model=SilenceOut)
def remove_silence(silence_id: RowId, db: Db, user: Operator) -> SilenceOut:
    """End a silence now."""
    silence = delete_silence(db, silence_id=silence_id, actor=user.name, now=clock.now())
    return SilenceOut.model_validate(silence)


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
