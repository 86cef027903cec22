"""The reporting tables: who reports for which enterprise, the reports, and every value
entered (a correction is a new revision; the first value is never overwritten)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warning.store.base import Base, enum_column


class Channel(StrEnum):
    """How a value came in."""

    API = "api"
    WEB = "web"
    XLSX = "xlsx"


class Reporter(Base):
    """A user of the ``reporter`` role and the one enterprise it reports for."""

    __tablename__ = "reporter"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Report(Base):
    """One enterprise's report of one form for one period (``2026-11``, ``2026-W47``)."""

    __tablename__ = "report"
    __table_args__ = (UniqueConstraint("enterprise_id", "form", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    form: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(10), index=True)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revision: Mapped[int] = mapped_column(Integer, default=1)  # submissions that changed it

    values: Mapped[list[ReportValue]] = relationship(
        back_populates="report", order_by="ReportValue.id"
    )


class ReportValue(Base):
    """One value of one field as entered: revision 1 is the first value, each correction a
    later revision. ``jump``: far from the enterprise's own history, so it is used only once
    confirmed (``confirmed_at``)."""

    __tablename__ = "report_value"
    __table_args__ = (UniqueConstraint("report_id", "field", "revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    field: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    entered_by: Mapped[str] = mapped_column(String(64))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, 8))
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    jump: Mapped[bool] = mapped_column(Boolean, default=False)
    reference: Mapped[float | None] = mapped_column(Float)  # the history it was compared with
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    report: Mapped[Report] = relationship(back_populates="values")

    @property
    def usable(self) -> bool:
        """Whether the desk's aggregates may use it: no jump, or a confirmed one."""
        return not self.jump or self.confirmed_at is not None
