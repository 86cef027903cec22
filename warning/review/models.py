"""The lifecycle's tables: warnings, their events, review items, silences and the audit log.

- ``warning``: one per material while active (an approved change made or updated it);
  resolved warnings are kept.
- ``warning_event``: each approved change to a warning (new, escalation, de-escalation,
  direction change, end); what alerts will announce, once each.
- ``review_item``: a proposed change from an evaluation, waiting for a decision; a newer
  evaluation updates it (it keeps its age) instead of stacking another.
- ``silence``: changes matching its matchers (material, sector, level, direction; none: every
  change) muted from a start until an end: their items are approved by policy without
  notifying; with an enterprise matcher only that enterprise's deliveries are muted.
The audit log of every transition is :mod:`warning.audit`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vocabulary import Direction, Level
from warning.directory.models import Enterprise
from warning.review.states import ChangeKind, ItemState, WarningState
from warning.store.base import Base, enum_column


class MaterialWarning(Base):
    """A material's warning as the analysts approved it."""

    __tablename__ = "warning"
    __table_args__ = (Index("ix_warning_material_state", "material_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    material_id: Mapped[str] = mapped_column(ForeignKey("material.id"))
    state: Mapped[WarningState] = mapped_column(enum_column(WarningState, 16))
    level: Mapped[Level] = mapped_column(enum_column(Level, 16))
    direction: Mapped[Direction] = mapped_column(enum_column(Direction, 8))
    text_zh: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # links to its public page issued before this moment no longer open it
    links_revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WarningEvent(Base):
    """One approved change to a warning, as decided: what every message about it shows.

    Written in the decision's own transaction; a message is rendered from this row alone.
    ``notify`` is false when a silence muted it. For an end (``kind`` end) ``level`` is
    normal and ``previous_level`` / ``previous_direction`` name the warning that ended.
    ``statements_zh`` / ``statements_en`` are JSON arrays of whole statements (the rules'
    reasons, or the desk's adjusted text); ``basis`` the rules' basis code; ``data_as_of`` the
    date of the data evaluated; ``level_since`` the day the level stands since; ``value`` the
    material's headline value at that date (series, period and unit beside it).
    """

    __tablename__ = "warning_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("warning.id"), index=True)
    review_item_id: Mapped[int] = mapped_column(ForeignKey("review_item.id"))
    kind: Mapped[ChangeKind] = mapped_column(enum_column(ChangeKind, 24))
    level: Mapped[Level] = mapped_column(enum_column(Level, 16))
    direction: Mapped[Direction] = mapped_column(enum_column(Direction, 8))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    notify: Mapped[bool] = mapped_column(Boolean)
    # set when delivery routed the event to its notices and deliveries (the outbox's cursor)
    routed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    previous_level: Mapped[Level | None] = mapped_column(enum_column(Level, 16))
    previous_direction: Mapped[Direction | None] = mapped_column(enum_column(Direction, 8))
    basis: Mapped[str | None] = mapped_column(String(16))
    statements_zh: Mapped[str | None] = mapped_column(Text)
    statements_en: Mapped[str | None] = mapped_column(Text)
    data_as_of: Mapped[date | None] = mapped_column(Date)
    level_since: Mapped[date | None] = mapped_column(Date)
    value: Mapped[float | None] = mapped_column(Float)
    value_unit: Mapped[str | None] = mapped_column(String(64))
    value_period: Mapped[date | None] = mapped_column(Date)
    value_series_id: Mapped[str | None] = mapped_column(String(128))
    adjusted: Mapped[bool | None] = mapped_column(Boolean)


class ReviewItem(Base):
    """A change an evaluation proposes for a material, and the decision on it."""

    __tablename__ = "review_item"
    __table_args__ = (Index("ix_review_item_state_material", "state", "material_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    material_id: Mapped[str] = mapped_column(ForeignKey("material.id"))
    state: Mapped[ItemState] = mapped_column(enum_column(ItemState, 16))
    kind: Mapped[ChangeKind] = mapped_column(enum_column(ChangeKind, 24))
    # what the warning is now (normal/none without one) and what the indicators propose
    from_level: Mapped[Level] = mapped_column(enum_column(Level, 16))
    from_direction: Mapped[Direction] = mapped_column(enum_column(Direction, 8))
    level: Mapped[Level] = mapped_column(enum_column(Level, 16))
    direction: Mapped[Direction] = mapped_column(enum_column(Direction, 8))
    reasons_zh: Mapped[str] = mapped_column(Text)
    reasons_en: Mapped[str] = mapped_column(Text)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"))
    ruleset_version: Mapped[str] = mapped_column(String(64))
    silenced: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deadline_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    snoozed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(Text)
    # an adjusted approval: what the analysts decided instead of the proposal
    final_level: Mapped[Level | None] = mapped_column(enum_column(Level, 16))
    final_direction: Mapped[Direction | None] = mapped_column(enum_column(Direction, 8))
    final_text_zh: Mapped[str | None] = mapped_column(Text)
    final_text_en: Mapped[str | None] = mapped_column(Text)
    warning_id: Mapped[int | None] = mapped_column(ForeignKey("warning.id"))
    # optimistic concurrency: every move checks and bumps it, so of two operators deciding
    # at once one succeeds and the other is told the item changed
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (SQLAlchemy reads it)


class Silence(Base):
    """Changes muted from ``starts_at`` until ``ends_at`` (:mod:`warning.review.silences`).

    Matchers, each None for any: ``material_id``, ``sector``, ``level`` (exactly),
    ``direction``, and ``enterprise_id`` (then only that enterprise's deliveries are muted).
    A row from before the matchers (migration 0013) has only ``material_id``: the same meaning.
    """

    __tablename__ = "silence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    material_id: Mapped[str | None] = mapped_column(ForeignKey("material.id"))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    comment: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_by: Mapped[str | None] = mapped_column(String(64))
    sector: Mapped[str | None] = mapped_column(String(64))
    level: Mapped[Level | None] = mapped_column(enum_column(Level, 16))
    direction: Mapped[Direction | None] = mapped_column(enum_column(Direction, 8))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"))

    enterprise: Mapped[Enterprise | None] = relationship(lazy="joined")
