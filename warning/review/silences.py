"""Silences, as in Alertmanager: changes matching a set of matchers muted from a start until
an end, with a comment.

**Matchers**, each empty for any: a material, a sector, a level, a direction, an enterprise
of the directory. A silence with no matcher mutes every change (the "every material" silence
of before). A change is matched by its material, the material's sector, its level and its
direction; an end of warning by the level and direction of the warning it ends (as
subscriptions match it). The level matches **exactly**, as Alertmanager's equality matchers
do: a yellow silence does not mute a red or a blue change (one silence per level for more).

**What it mutes.** Without an enterprise matcher a silence mutes the change for everyone: a
new item for it is approved by policy without notifying (:mod:`warning.review.proposals`),
and delivery routes an event to nobody while the silence is in force
(:func:`warning.delivery.routing.muted`). With an enterprise matcher it mutes only that
enterprise's deliveries (routing leaves out its contacts); the item goes through review as
any other.

**Time.** In force from ``starts_at`` (included) until ``ends_at`` (excluded); a silence may
start later than it is made (a start in the past counts from now, as Alertmanager does).
Ending it ("expire") marks it deleted: from then on it mutes nothing, and a silence that has
not started yet never will.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from vocabulary import Direction, Level
from warning.audit import record
from warning.catalog.models import Material
from warning.directory.models import Enterprise
from warning.errors import Invalid
from warning.review.lifecycle import InvalidMove, ItemNotFound
from warning.review.models import ReviewItem, Silence
from warning.review.states import ChangeKind
from warning.store import aware

SILENCED_LEVELS: Final = (Level.BLUE, Level.YELLOW, Level.RED)
SILENCED_DIRECTIONS: Final = (Direction.UP, Direction.DOWN)


class SilenceState(StrEnum):
    """Where a silence stands at a moment: not started yet, in force, or over (its end came,
    or it was ended by hand)."""

    PENDING = "pending"
    ACTIVE = "active"
    EXPIRED = "expired"


class SilenceInvalid(Invalid):
    """A silence that could never be right (ends before it starts, a level no warning has,
    a material outside the sector named): nothing was kept."""


@dataclass(frozen=True)
class Change:
    """What a silence is matched against: a change's material, that material's sector, and
    its level and direction (an end: those of the warning it ends)."""

    material_id: str
    sector: str
    level: str
    direction: str

    @classmethod
    def of(cls, session: Session, *, material_id: str, level: str, direction: str) -> Change:
        """The change of ``material_id``, its sector read from the catalog."""
        material = session.get(Material, material_id)
        return cls(material_id, material.sector if material else "", level, direction or "")


def change_of_item(session: Session, item: ReviewItem) -> Change:
    """The change a review item proposes (an end: the warning it ends)."""
    ended = item.kind == ChangeKind.END
    return Change.of(
        session,
        material_id=item.material_id,
        level=(item.from_level if ended else item.level) or "",
        direction=(item.from_direction if ended else item.direction) or "",
    )


def matches(silence: Silence, change: Change) -> bool:
    """Whether every matcher of ``silence`` (None: any) holds for ``change``; the enterprise
    is not a property of a change (see :func:`silenced_enterprises`)."""
    wanted = (
        (silence.material_id, change.material_id),
        (silence.sector, change.sector),
        (silence.level, change.level),
        (silence.direction, change.direction),
    )
    return all(value is None or str(value) == str(got) for value, got in wanted)


def state_of(silence: Silence, *, now: datetime) -> SilenceState:
    """The silence's state at ``now``."""
    if silence.deleted_at is not None or (aware(silence.ends_at) or now) <= now:
        return SilenceState.EXPIRED
    if (aware(silence.starts_at) or now) > now:
        return SilenceState.PENDING
    return SilenceState.ACTIVE


def _in_force(at: datetime) -> Select[tuple[Silence]]:
    return select(Silence).where(
        Silence.deleted_at.is_(None), Silence.starts_at <= at, Silence.ends_at > at
    )


def active_silences(session: Session, *, at: datetime) -> list[Silence]:
    """Silences in force at ``at``, newest first."""
    return list(session.scalars(_in_force(at).order_by(Silence.id.desc())))


def silence_for(session: Session, *, change: Change, at: datetime) -> Silence | None:
    """The silence muting ``change`` for everyone at ``at`` (one without an enterprise whose
    matchers hold), the one ending last; None when there is none."""
    found = session.scalars(
        _in_force(at).where(Silence.enterprise_id.is_(None)).order_by(Silence.ends_at.desc())
    )
    return next((silence for silence in found if matches(silence, change)), None)


def silenced_enterprises(session: Session, *, change: Change, at: datetime) -> set[int]:
    """The enterprises whose deliveries of ``change`` are muted at ``at``."""
    found = session.scalars(_in_force(at).where(Silence.enterprise_id.is_not(None)))
    return {s.enterprise_id for s in found if s.enterprise_id is not None and matches(s, change)}


def create_silence(
    session: Session,
    *,
    material_id: str | None = None,
    sector: str | None = None,
    level: str | None = None,
    direction: str | None = None,
    enterprise: str | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime,
    comment: str,
    actor: str,
    now: datetime,
) -> Silence:
    """Mute the changes matching the matchers (None: any; ``enterprise`` a credit code of
    the directory) from ``starts_at`` (None or past: now) until ``ends_at`` (module
    docstring). Refused: an end not in the future (:class:`InvalidMove`), an end not after
    the start or a matcher no change can meet (:class:`SilenceInvalid`), an unknown
    material, sector or enterprise (:class:`ItemNotFound`), no comment."""
    starts, ends = _period(starts_at, ends_at, now=now)
    if not comment.strip():
        raise InvalidMove(None, "a silence needs a comment saying why")
    silence = Silence(
        material_id=material_id or None,
        sector=sector or None,
        level=_level(level),
        direction=_direction(direction),
        enterprise=_enterprise(session, enterprise),
        starts_at=starts,
        ends_at=ends,
        comment=comment,
        created_by=actor,
        created_at=now,
    )
    _check_material_and_sector(session, silence.material_id, silence.sector)
    session.add(silence)
    session.flush()
    record(
        session,
        at=now,
        actor=actor,
        action="silence_created",
        material_id=silence.material_id,
        subject=f"silence:{silence.id}",
        after={
            **matchers_of(silence),
            "starts_at": starts.isoformat(),
            "ends_at": ends.isoformat(),
        },
        comment=comment,
    )
    return silence


def delete_silence(session: Session, *, silence_id: int, actor: str, now: datetime) -> Silence:
    """End a silence now, or call off one that has not started (it is kept, marked deleted).
    Refused for one that is over already."""
    silence = session.get(Silence, silence_id)
    if silence is None:
        raise ItemNotFound(f"no silence {silence_id}")
    if silence.deleted_at is not None:
        raise InvalidMove(None, f"silence {silence_id} was deleted already")
    if state_of(silence, now=now) is SilenceState.EXPIRED:
        ended = aware(silence.ends_at) or now
        raise InvalidMove(None, f"silence {silence_id} ended already at {ended.isoformat()}")
    silence.deleted_at, silence.deleted_by = now, actor
    session.flush()
    record(
        session,
        at=now,
        actor=actor,
        action="silence_deleted",
        material_id=silence.material_id,
        subject=f"silence:{silence.id}",
        before={"ends_at": (aware(silence.ends_at) or now).isoformat()},
        after={**matchers_of(silence), "deleted_at": now.isoformat()},
    )
    return silence


def matchers_of(silence: Silence) -> dict[str, Any]:
    """The silence's matchers as the audit keeps them (``material_id`` ``*``: any)."""
    enterprise = silence.enterprise
    return {
        "material_id": silence.material_id or "*",
        "sector": silence.sector,
        "level": silence.level,
        "direction": silence.direction,
        "enterprise": enterprise.credit_code if enterprise else None,
        "enterprise_name": enterprise.name if enterprise else None,
    }


def _period(
    starts_at: datetime | None, ends_at: datetime, *, now: datetime
) -> tuple[datetime, datetime]:
    """Start and end as UTC (SQLite keeps no offset); a start in the past counts from now."""
    ends = _utc(ends_at, "ends_at")
    starts = now if starts_at is None else max(_utc(starts_at, "starts_at"), now)
    if ends <= now:
        raise InvalidMove(None, f"a silence must end in the future, not {ends.isoformat()}")
    if ends <= starts:
        raise SilenceInvalid(
            f"a silence must end after it starts: it starts {starts.isoformat()} "
            f"and ends {ends.isoformat()}"
        )
    return starts, ends


def _utc(moment: datetime, field: str) -> datetime:
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # year 1 east of UTC, year 9999 west of it
        raise SilenceInvalid(f"{field} {moment.isoformat()} is out of range") from None


def _level(level: str | None) -> Level | None:
    if not level:
        return None
    if level not in SILENCED_LEVELS:
        names = ", ".join(SILENCED_LEVELS)
        raise SilenceInvalid(f"level {level!r}: a silence matches one of {names}")
    return Level(level)


def _direction(direction: str | None) -> Direction | None:
    if not direction:
        return None
    if direction not in SILENCED_DIRECTIONS:
        raise SilenceInvalid(f"direction {direction!r}: a silence matches up or down")
    return Direction(direction)


def _enterprise(session: Session, credit_code: str | None) -> Enterprise | None:
    if not credit_code:
        return None
    found = session.scalar(select(Enterprise).where(Enterprise.credit_code == credit_code))
    if found is None:
        raise ItemNotFound(f"no enterprise with credit code {credit_code!r} in the directory")
    return found


def _check_material_and_sector(
    session: Session, material_id: str | None, sector: str | None
) -> None:
    material = session.get(Material, material_id) if material_id else None
    if material_id and material is None:
        raise ItemNotFound(f"no material {material_id!r}")
    if (
        sector
        and session.scalar(select(Material.id).where(Material.sector == sector).limit(1)) is None
    ):
        raise ItemNotFound(f"no sector {sector!r}")
    if material is not None and sector and material.sector != sector:
        raise SilenceInvalid(
            f"material {material_id!r} is in sector {material.sector!r}, not {sector!r}: "
            "the silence would match nothing"
        )
