"""Evaluation's tables: each evaluation run and the assessments it stored, with reasons."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vocabulary import Direction, Level
from warning.store.base import Base, enum_column


class EvaluationRun(Base):
    """One evaluation of every material as of a date, under one rule-set version.

    ``trigger`` says what asked for it: ``cli``, ``demo``, ``ingest``, ``ingest-file``,
    ``derive`` or ``feed:<feed id>``.
    """

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
    level: Mapped[Level] = mapped_column(enum_column(Level, 16))
    direction: Mapped[Direction] = mapped_column(enum_column(Direction, 8))
    score: Mapped[float | None] = mapped_column(Float)
    reasons_zh: Mapped[str] = mapped_column(Text)
    reasons_en: Mapped[str] = mapped_column(Text)
    ruleset_version: Mapped[str] = mapped_column(String(64))
    # why the level stands (rules.LevelBasis): confirmed, pending, held, vetoed, capped,
    # supply_only or no_data; what the indicators alone say; since when; when it was last
    # confirmed; the earliest it can change; and the rest (k of N, veto, cap) as JSON
    basis: Mapped[str] = mapped_column(String(16), default="no_data")
    indicator_level: Mapped[Level] = mapped_column(enum_column(Level, 16), default=Level.NO_DATA)
    indicator_direction: Mapped[Direction] = mapped_column(
        enum_column(Direction, 8), default=Direction.NONE
    )
    level_since: Mapped[date | None] = mapped_column(Date)
    last_confirmed: Mapped[date | None] = mapped_column(Date)
    earliest_change: Mapped[date | None] = mapped_column(Date)
    basis_detail: Mapped[str] = mapped_column(Text, default="{}")

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
    level: Mapped[Level] = mapped_column(enum_column(Level, 16))
    direction: Mapped[Direction] = mapped_column(enum_column(Direction, 8))
    score: Mapped[float | None] = mapped_column(Float)
    reason_zh: Mapped[str] = mapped_column(Text)
    reason_en: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16), default="signal")  # signal, supply, veto, info

    assessment: Mapped[Assessment] = relationship(back_populates="indicators")
