"""Raw frames of library calls, kept per day so that a bad day can be re-read without calling.

``<var_dir>/feeds-raw/<YYYY-MM-DD>/<function>-<digest>.csv.gz`` (the layout
:class:`feeds.library.RecordedFrames` replays: ``warning feeds check --replay DIR``), with an
``index.jsonl`` line per frame saying which feed made which call. Days older than
``WARNING_FEED_RAW_DAYS`` are removed when a frame is kept.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Final

import pandas as pd

from feeds.library import frame_file, read_frame, write_frame
from warning.settings import Settings

log = logging.getLogger(__name__)
RAW_DIR: Final = "feeds-raw"
_WRITING = threading.Lock()  # feed runs are three threads; one index line at a time


def raw_root(settings: Settings) -> Path:
    return settings.var_dir / RAW_DIR


class DayFolderKeeper:
    """Keeps frames under ``root/<today>`` and drops day folders older than ``days``."""

    def __init__(self, root: Path, *, today: date, days: int, now: datetime) -> None:
        self.root = root
        self.today = today
        self.days = days
        self.now = now

    @property
    def folder(self) -> Path:
        return self.root / self.today.isoformat()

    def keep(
        self, feed_id: str, function: str, args: Mapping[str, object], frame: pd.DataFrame
    ) -> None:
        name = frame_file(function, args)
        line = {"file": name, "feed": feed_id, "function": function, "args": dict(args),
                "rows": len(frame), "at": self.now.isoformat()}  # fmt: skip
        try:
            with _WRITING:
                write_frame(self.folder / name, frame)
                with (self.folder / "index.jsonl").open("a", encoding="utf-8") as index:
                    index.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
                self._prune()
        except OSError as error:  # keeping is a convenience: the run goes on without it
            log.warning("raw frame of %s (feed %s) not kept: %s", function, feed_id, error)

    def kept(self, function: str, args: Mapping[str, object]) -> pd.DataFrame | None:
        path = self.folder / frame_file(function, args)
        if not path.is_file():
            return None
        try:
            return read_frame(path)
        except (OSError, ValueError, EOFError) as error:
            log.warning("kept frame %s unreadable, calling again: %s", path, error)
            return None

    def _prune(self) -> None:
        oldest = self.today - timedelta(days=self.days - 1)
        for folder in self.root.iterdir():
            try:
                day = date.fromisoformat(folder.name)
            except ValueError:
                continue
            if day < oldest and folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)


class RawFrames:
    """Where and how long raw frames are kept: a keeper per run day."""

    def __init__(self, root: Path, *, days: int) -> None:
        self.root = root
        self.days = days

    @classmethod
    def from_settings(cls, settings: Settings) -> RawFrames:
        return cls(raw_root(settings), days=settings.feed_raw_days)

    def keeper(self, *, today: date, now: datetime) -> DayFolderKeeper:
        return DayFolderKeeper(self.root, today=today, days=self.days, now=now)
