"""The ``audit_entry`` table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from warning.store.base import Base


class AuditEntry(Base):
    """One action: ``actor`` (a user's name, ``system`` or ``policy``), ``action``, what it
    concerned (material, review item, warning, or ``subject`` such as ``user:ana``), the state
    ``before`` and ``after`` as JSON, and the comment given."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_material", "material_id", "id"),
        Index("ix_audit_entry_item", "review_item_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    material_id: Mapped[str | None] = mapped_column(String(64))
    review_item_id: Mapped[int | None] = mapped_column(Integer)
    warning_id: Mapped[int | None] = mapped_column(Integer)
    subject: Mapped[str | None] = mapped_column(String(128))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)
