"""Silences: a material (or all materials) muted until a time, with a comment."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from warning.audit import record
from warning.catalog.models import Material
from warning.review.lifecycle import InvalidMove, ItemNotFound
from warning.review.models import Silence


def create_silence(
    session: Session,
    *,
    material_id: str | None,
    ends_at: datetime,
    comment: str,
    actor: str,
    now: datetime,
) -> Silence:
    """Mute ``material_id`` (None: every material) from now until ``ends_at``."""
    ends_at = ends_at.astimezone(UTC)  # stored as UTC (SQLite keeps no offset)
    if ends_at <= now:
        raise InvalidMove(None, f"a silence must end in the future, not {ends_at.isoformat()}")
    if not comment.strip():
        raise InvalidMove(None, "a silence needs a comment saying why")
    if material_id is not None and session.get(Material, material_id) is None:
        raise ItemNotFound(f"no material {material_id!r}")
    silence = Silence(
        material_id=material_id,
        starts_at=now,
        ends_at=ends_at,
        comment=comment,
        created_by=actor,
        created_at=now,
    )
    session.add(silence)
    session.flush()
    record(
        session,
        at=now,
        actor=actor,
        action="silence_created",
        material_id=material_id,
        subject=f"silence:{silence.id}",
        after={"material_id": material_id or "*", "ends_at": ends_at.isoformat()},
        comment=comment,
    )
    return silence


def delete_silence(session: Session, *, silence_id: int, actor: str, now: datetime) -> Silence:
    """End a silence now (it is kept, marked deleted)."""
    silence = session.get(Silence, silence_id)
    if silence is None:
        raise ItemNotFound(f"no silence {silence_id}")
    if silence.deleted_at is not None:
        raise InvalidMove(None, f"silence {silence_id} was deleted already")
    silence.deleted_at, silence.deleted_by = now, actor
    session.flush()
    record(
        session,
        at=now,
        actor=actor,
        action="silence_deleted",
        material_id=silence.material_id,
        subject=f"silence:{silence.id}",
        before={"ends_at": silence.ends_at.isoformat()},
    )
    return silence


def active_silences(session: Session, *, at: datetime) -> list[Silence]:
    """Silences in force at ``at``, newest first."""
    return list(
        session.scalars(
            select(Silence)
            .where(Silence.deleted_at.is_(None), Silence.starts_at <= at, Silence.ends_at > at)
            .order_by(Silence.id.desc())
        )
    )


def silence_for(session: Session, *, material_id: str, at: datetime) -> Silence | None:
    """The silence muting ``material_id`` at ``at`` (its own or one for all), if any."""
    return session.scalar(
        select(Silence)
        .where(
            Silence.deleted_at.is_(None),
            Silence.starts_at <= at,
            Silence.ends_at > at,
            or_(Silence.material_id == material_id, Silence.material_id.is_(None)),
        )
        .order_by(Silence.ends_at.desc())
        .limit(1)
    )
