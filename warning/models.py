"""The store's tables (SQLAlchemy 2 declarative models).

Every accepted value is kept: ``observation`` holds the current value of a (series, period)
and the value as first published; each later change is an ``observation_revision`` row with
the old and new value and when it was seen. Refused input is kept raw in ``rejected_row``.
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
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from feeds.longformat import FIELD_LIMITS

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every table; constraint names are fixed so migrations match on every database."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


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
    indicator: Mapped[str] = mapped_column(String(16))
    frequency: Mapped[str] = mapped_column(String(1))
    unit: Mapped[str] = mapped_column(String(FIELD_LIMITS["unit"]))
    source: Mapped[str] = mapped_column(Text, default="")
    in_catalog: Mapped[bool] = mapped_column(Boolean, default=True)
    # The catalog's derived_from, copied at sync: the store path refuses fed rows for such a
    # series and warning.derived computes it. No foreign key: the catalog check guarantees the
    # source exists, and a self-reference would constrain the order of inserts at sync.
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


class FeedRun(Base):
    """One ingest: a file loaded or a feed pulled, with its counts and outcome."""

    __tablename__ = "feed_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    feed: Mapped[str] = mapped_column(String(128), index=True)
    source: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))
    rows_fetched: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    revised: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    suspect: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class RejectedRow(Base):
    """An input row refused at validation, kept raw with where it came from and why."""

    __tablename__ = "rejected_row"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    feed_run_id: Mapped[int] = mapped_column(ForeignKey("feed_run.id"), index=True)
    source: Mapped[str] = mapped_column(Text)
    line: Mapped[int | None] = mapped_column(Integer)
    raw: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EvaluationRun(Base):
    """One evaluation of every material as of a date, under one rule-set version."""

    __tablename__ = "evaluation_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    as_of: Mapped[date] = mapped_column(Date, index=True)
    ruleset_version: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    trigger: Mapped[str] = mapped_column(String(32))

    assessments: Mapped[list[Assessment]] = relationship(back_populates="run")


class Assessment(Base):
    """A material's level at one evaluation, with its reasons in Chinese and English."""

    __tablename__ = "assessment"
    __table_args__ = (Index("ix_assessment_material_as_of", "material_id", "as_of"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    evaluation_run_id: Mapped[int] = mapped_column(ForeignKey("evaluation_run.id"), index=True)
    material_id: Mapped[str] = mapped_column(ForeignKey("material.id"))
    as_of: Mapped[date] = mapped_column(Date)
    period: Mapped[date | None] = mapped_column(Date)
    level: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(8))
    score: Mapped[float | None] = mapped_column(Float)
    reasons_zh: Mapped[str] = mapped_column(Text)
    reasons_en: Mapped[str] = mapped_column(Text)
    ruleset_version: Mapped[str] = mapped_column(String(64))

    run: Mapped[EvaluationRun] = relationship(back_populates="assessments")
    indicators: Mapped[list[IndicatorAssessment]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan"
    )


class IndicatorAssessment(Base):
    """One indicator behind an assessment: its value, thresholds, level and sentence."""

    __tablename__ = "indicator_assessment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), index=True)
    indicator: Mapped[str] = mapped_column(String(64))
    detector: Mapped[str] = mapped_column(String(64))
    series_id: Mapped[str] = mapped_column(String(128))
    value: Mapped[float | None] = mapped_column(Float)
    thresholds: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(8))
    score: Mapped[float | None] = mapped_column(Float)
    reason_zh: Mapped[str] = mapped_column(Text)
    reason_en: Mapped[str] = mapped_column(Text)

    assessment: Mapped[Assessment] = relationship(back_populates="indicators")


class FeedState(Base):
    """What the service remembers about a feed between runs: validators, outcome, failures."""

    __tablename__ = "feed_state"

    feed_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(String(64))
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status: Mapped[str | None] = mapped_column(String(16))
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    failing: Mapped[bool] = mapped_column(Boolean, default=False)
    last_error: Mapped[str | None] = mapped_column(Text)
