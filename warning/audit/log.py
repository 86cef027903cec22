"""Writing and reading the audit log."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warning.audit.models import AuditEntry
from warning.store import aware

Snapshot = Mapping[str, Any]


def record(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    material_id: str | None = None,
    review_item_id: int | None = None,
    warning_id: int | None = None,
    subject: str | None = None,
    before: Snapshot | None = None,
    after: Snapshot | None = None,
    comment: str | None = None,
) -> AuditEntry:
    """Append one entry (in the caller's transaction, with the change it records)."""
    entry = AuditEntry(
        at=at,
        actor=actor,
        action=action,
        material_id=material_id,
        review_item_id=review_item_id,
        warning_id=warning_id,
        subject=subject,
        before=_json(before),
        after=_json(after),
        comment=comment,
    )
    session.add(entry)
    return entry


def _json(snapshot: Snapshot | None) -> str | None:
    if snapshot is None:
        return None
    return json.dumps(snapshot, ensure_ascii=False, sort_keys=True, default=str)


@dataclass(frozen=True)
class AuditView:
    """An audit entry as shown: before and after parsed back from JSON."""

    id: int
    at: datetime
    actor: str
    action: str
    material_id: str | None
    review_item_id: int | None
    warning_id: int | None
    subject: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    comment: str | None


def entries(
    session: Session,
    *,
    material_id: str | None = None,
    review_item_id: int | None = None,
    actor: str | None = None,
    actions: Collection[str] | None = None,
    since: datetime | None = None,
    before: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[AuditView], int]:
    """Entries, newest first, for a material, an item, an actor, some actions and a time
    window (``since`` <= at < ``before``); and how many there are."""
    query = select(AuditEntry)
    if material_id is not None:
        query = query.where(AuditEntry.material_id == material_id)
    if review_item_id is not None:
        query = query.where(AuditEntry.review_item_id == review_item_id)
    if actor is not None:
        query = query.where(AuditEntry.actor == actor)
    if actions is not None:
        query = query.where(AuditEntry.action.in_(list(actions)))
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if before is not None:
        query = query.where(AuditEntry.at < before)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit).offset(offset))
    return [_view(row) for row in rows], total


def actors(session: Session) -> list[str]:
    """Everyone who has an entry, by name."""
    return list(session.scalars(select(AuditEntry.actor).distinct().order_by(AuditEntry.actor)))


def _view(row: AuditEntry) -> AuditView:
    return AuditView(
        id=row.id,
        at=aware(row.at) or row.at,
        actor=row.actor,
        action=row.action,
        material_id=row.material_id,
        review_item_id=row.review_item_id,
        warning_id=row.warning_id,
        subject=row.subject,
        before=json.loads(row.before) if row.before else None,
        after=json.loads(row.after) if row.after else None,
        comment=row.comment,
    )
