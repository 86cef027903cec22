"""Reading the queue and the warnings: lists with totals, sorted as analysts work them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from vocabulary import Level, level_rank
from warning.catalog.models import Material
from warning.review.models import MaterialWarning, ReviewItem, Silence, WarningEvent
from warning.review.states import OPEN_STATES, ChangeKind, ItemState, WarningState


def _rank(column: Any) -> Any:
    return case({level.value: level_rank(level) for level in Level}, value=column, else_=0)


# an end of warning is as severe as the warning it ends
SEVERITY = case(
    (ReviewItem.kind == ChangeKind.END, _rank(ReviewItem.from_level)),
    else_=_rank(ReviewItem.level),
)


def list_items(
    session: Session,
    *,
    state: ItemState | None = None,
    level: Level | None = None,
    sector: str | None = None,
    kind: ChangeKind | None = None,
    material_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[ReviewItem], int]:
    """Items, escalated first, then by severity (red first), then oldest first; and the total.

    An end of warning counts with the severity of the warning it ends.
    """
    query: Select[Any] = select(ReviewItem)
    if state is not None:
        query = query.where(ReviewItem.state == state)
    if level is not None:
        query = query.where(ReviewItem.level == level)
    if kind is not None:
        query = query.where(ReviewItem.kind == kind)
    if material_id is not None:
        query = query.where(ReviewItem.material_id == material_id)
    if sector is not None:
        query = query.join(Material, Material.id == ReviewItem.material_id).where(
            Material.sector == sector
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    ordered = query.order_by(
        ReviewItem.escalated_at.is_(None),  # escalated (overdue) items first
        SEVERITY.desc(),
        ReviewItem.created_at,
        ReviewItem.id,
    )
    return list(session.scalars(ordered.limit(limit).offset(offset))), total


def list_warnings(
    session: Session,
    *,
    state: WarningState | None = None,
    material_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[MaterialWarning], int]:
    """Warnings, newest change first; and the total."""
    query: Select[Any] = select(MaterialWarning)
    if state is not None:
        query = query.where(MaterialWarning.state == state)
    if material_id is not None:
        query = query.where(MaterialWarning.material_id == material_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(MaterialWarning.updated_at.desc(), MaterialWarning.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


def warning_events(session: Session, *, warning_id: int) -> list[WarningEvent]:
    """A warning's approved changes, oldest first."""
    return list(
        session.scalars(
            select(WarningEvent)
            .where(WarningEvent.warning_id == warning_id)
            .order_by(WarningEvent.id)
        )
    )


def active_warnings(session: Session) -> dict[str, MaterialWarning]:
    """Each material's active warning."""
    rows = session.scalars(
        select(MaterialWarning).where(MaterialWarning.state == WarningState.ACTIVE)
    )
    return {row.material_id: row for row in rows}


def list_silences(session: Session, *, include_ended: bool = False) -> list[Silence]:
    """Silences, newest first (only those not deleted unless ``include_ended``)."""
    query = select(Silence)
    if not include_ended:
        query = query.where(Silence.deleted_at.is_(None))
    return list(session.scalars(query.order_by(Silence.id.desc())))


def open_items(session: Session) -> dict[str, ReviewItem]:
    """Each material's open (pending or snoozed) review item; the newest if it had several."""
    newest = (
        select(func.max(ReviewItem.id))
        .where(ReviewItem.state.in_(OPEN_STATES))
        .group_by(ReviewItem.material_id)
    )
    rows = session.scalars(select(ReviewItem).where(ReviewItem.id.in_(newest)))
    return {row.material_id: row for row in rows}
