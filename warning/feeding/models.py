"""Feeding's tables: every ingest run, each feed's remembered state, and every refused row."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from warning.store.base import Base, enum_column


class FeedRunKind(StrEnum):
    """What a feed run ingested: a scheduled or manual feed, a file, or the service's own
    derivation of derived series."""

    FEED = "feed"
    FILE = "file"
    DERIVATION = "derivation"


class FeedRunStatus(StrEnum):
    """Where a feed run stands: ``running`` only inside its own transaction."""

    RUNNING = "running"
    OK = "ok"
    UNCHANGED = "unchanged"
    FAILED = "failed"


class FeedRun(Base):
    """One ingest: a file loaded, a feed pulled or a derivation, with its counts and outcome.

    ``feed`` names the feed (its id), ``file`` or ``sample`` for files, ``derived`` for
    derivations, whose ``source`` is the source series; ``kind`` says which it is.
    """

    __tablename__ = "feed_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    feed: Mapped[str] = mapped_column(String(128), index=True)
    kind: Mapped[FeedRunKind] = mapped_column(
        enum_column(FeedRunKind, 16), server_default=FeedRunKind.FEED.value
    )
    source: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[FeedRunStatus] = mapped_column(enum_column(FeedRunStatus, 16))
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


class FeedState(Base):
    """What the service remembers about a feed between runs: validators, outcome, failures."""

    __tablename__ = "feed_state"

    feed_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(String(64))
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status: Mapped[FeedRunStatus | None] = mapped_column(enum_column(FeedRunStatus, 16))
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    failing: Mapped[bool] = mapped_column(Boolean, default=False)
    last_error: Mapped[str | None] = mapped_column(Text)
