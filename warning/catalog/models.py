"""The catalog's tables: materials, their series, and the values stored for each series.

Every accepted value is kept: ``observation`` holds the current value of a (series, period)
and the value as first published; each later change is an ``observation_revision`` row with
the old and new value and when it was seen. How values arrive (feed runs, rejected rows) is
``warning.feeding``'s.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feeds.longformat import FIELD_LIMITS
from warning.store.base import Base


class Material(Base):
    """One of the monitored raw materials (from the catalog)."""

    __tablename__ = "material"

    id: Mapped[str] = mapped_column(String(FIELD_LIMITS["material"]), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))
    sector: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)

    series: Mapped[list[Series]] = relationship(back_populates="material")


class Series(Base):
    """A time series of one indicator of one material at one frequency and unit."""

    __tablename__ = "series"

    id: Mapped[str] = mapped_column(String(FIELD_LIMITS["series_id"]), primary_key=True)
    material_id: Mapped[str] = mapped_column(ForeignKey("material.id"), index=True)
    # vocabulary.IndicatorKind and Frequency values, checked where rows come in (the catalog,
    # feeds.longformat); stored and read as plain text, as the long format has them
    indicator: Mapped[str] = mapped_column(String(16))
    frequency: Mapped[str] = mapped_column(String(1))
    unit: Mapped[str] = mapped_column(String(FIELD_LIMITS["unit"]))
    source: Mapped[str] = mapped_column(Text, default="")
    in_catalog: Mapped[bool] = mapped_column(Boolean, default=True)
    # The catalog's derived_from, copied at sync: the store path refuses fed rows for such a
    # series and warning.feeding.derivation computes it. No foreign key: the catalog check
    # guarantees the source exists, and a self-reference would constrain the order of inserts.
    derived_from: Mapped[str | None] = mapped_column(String(FIELD_LIMITS["series_id"]))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    material: Mapped[Material] = relationship(back_populates="series")


class Observation(Base):
    """The current value of a series for one period, with the value as first published."""

    __tablename__ = "observation"

    series_id: Mapped[str] = mapped_column(ForeignKey("series.id"), primary_key=True)
    period: Mapped[date] = mapped_column(Date, primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    first_value: Mapped[float] = mapped_column(Float)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revisions: Mapped[int] = mapped_column(Integer, default=0)
    suspect: Mapped[bool] = mapped_column(Boolean, default=False)
    # the run that stored the current value (warning.feeding.models.FeedRun)
    feed_run_id: Mapped[int | None] = mapped_column(ForeignKey("feed_run.id"))


class ObservationRevision(Base):
    """A later change to a stored observation: the value before, the value after, and when."""

    __tablename__ = "observation_revision"
    __table_args__ = (
        ForeignKeyConstraint(
            ["series_id", "period"],
            ["observation.series_id", "observation.period"],
            name="fk_observation_revision_observation",
        ),
        Index("ix_observation_revision_series_period", "series_id", "period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    series_id: Mapped[str] = mapped_column(String(128))
    period: Mapped[date] = mapped_column(Date)
    old_value: Mapped[float] = mapped_column(Float)
    new_value: Mapped[float] = mapped_column(Float)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    feed_run_id: Mapped[int | None] = mapped_column(ForeignKey("feed_run.id"))
