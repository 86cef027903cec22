"""The review policy as the desk edits it: stored in the database (``review_policy``, one
row), audited before and after, and read by every evaluation and sweep, so a change needs no
restart. Without a stored policy the settings' (``WARNING_REVIEW_*``) is in force; removing
the stored one goes back to it."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from warning.audit import record
from warning.errors import Invalid
from warning.review.policy import ReviewPolicy
from warning.settings import Settings
from warning.store.base import Base

ROW = 1  # the one row: the policy in force


class StoredPolicy(Base):
    """The review policy the desk set (the settings' when there is no row)."""

    __tablename__ = "review_policy"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    policy: Mapped[str] = mapped_column(Text)  # JSON: ReviewPolicy.as_dict()
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(64))


class PolicyInvalid(Invalid):
    """A policy that cannot be stored (a level, an action or a number of hours)."""


def policy_in_force(
    session: Session, settings: Settings
) -> tuple[ReviewPolicy, StoredPolicy | None]:
    """The policy evaluations and the sweep use now, and its stored row (None: the
    settings' policy)."""
    stored = session.get(StoredPolicy, ROW)
    if stored is None:
        return ReviewPolicy.from_settings(settings), None
    return ReviewPolicy.from_dict(json.loads(stored.policy)), stored


def current_policy(session: Session, settings: Settings) -> ReviewPolicy:
    """The policy in force (:func:`policy_in_force` without its row)."""
    return policy_in_force(session, settings)[0]


def save_policy(
    session: Session, *, data: dict[str, object], settings: Settings, actor: str, now: datetime
) -> ReviewPolicy:
    """Store ``data`` (:meth:`ReviewPolicy.as_dict`'s shape) as the policy in force; audited
    with the policy before and after. :class:`PolicyInvalid` names what is wrong."""
    try:
        policy = ReviewPolicy.from_dict(data)
    except ValueError as error:
        raise PolicyInvalid(str(error)) from None
    before, stored = policy_in_force(session, settings)
    if stored is None:
        stored = StoredPolicy(id=ROW)
        session.add(stored)
    stored.policy = json.dumps(policy.as_dict(), sort_keys=True)
    stored.updated_at, stored.updated_by = now, actor
    record(
        session,
        at=now,
        actor=actor,
        action="policy_changed",
        subject="review_policy",
        before=before.as_dict(),
        after=policy.as_dict(),
    )
    return policy


def reset_policy(session: Session, *, settings: Settings, actor: str, now: datetime) -> bool:
    """Remove the stored policy: the settings' is in force again (audited); False when none
    was stored (nothing changes, nothing is audited)."""
    before, stored = policy_in_force(session, settings)
    if stored is None:
        return False
    session.delete(stored)
    record(
        session,
        at=now,
        actor=actor,
        action="policy_reset",
        subject="review_policy",
        before=before.as_dict(),
        after=ReviewPolicy.from_settings(settings).as_dict(),
    )
    return True
