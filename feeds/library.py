"""Data libraries a feed calls (AKShare), and frames recorded from them.

A feed of the ``akshare`` source names a function and its arguments; the engine calls it
through a :class:`FunctionTable`, never by importing the library itself, so that

- the service uses :class:`ImportedAkshare` (the real library, an optional extra:
  ``pip install '.[live]'``; without it every call fails with that hint);
- tests, the canary's dry runs and a re-read of a bad day use :class:`RecordedFrames`: frames
  kept from earlier calls (``<function>-<digest>.csv.gz``, see :func:`frame_file`), replayed.

A :class:`FrameKeeper` (given by the service) keeps each raw frame a call returned, so a day
can be re-read without calling the source again; the layout is the one :class:`RecordedFrames`
reads.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Final, Protocol

import pandas as pd

from feeds.calendar import is_trading_day

CALENDAR_FILE: Final = "calendar.json"  # AKShare's own format: a list of YYYYMMDD texts


class LibraryMissing(Exception):
    """The library is not installed: nothing to call, and no retry will help."""


LibraryFunction = Callable[..., pd.DataFrame]


class FunctionTable(Protocol):
    """Finds a library function by name; says which trading days the library knows."""

    name: str

    def function(self, name: str) -> LibraryFunction:
        """The function (called with the feed's arguments as keywords); raises LibraryMissing
        when the library or the function is not there, before anything is called."""
        ...

    def calendar(self) -> frozenset[date] | None:
        """The trading days the library checks dates against, if it has such a calendar."""
        ...


class FrameKeeper(Protocol):
    """Keeps raw frames of calls (compressed, per day) and gives back today's kept ones."""

    def keep(
        self, feed_id: str, function: str, args: Mapping[str, object], frame: pd.DataFrame
    ) -> None:
        """Keep the frame one call returned."""
        ...

    def kept(self, function: str, args: Mapping[str, object]) -> pd.DataFrame | None:
        """The frame kept today for the same call, if any."""
        ...


def call_text(function: str, args: Mapping[str, object]) -> str:
    """How a call is shown: ``futures_zh_daily_sina(symbol='I0')``."""
    shown = ", ".join(f"{key}={value!r}" for key, value in sorted(args.items()))
    return f"{function}({shown})"


def frame_file(function: str, args: Mapping[str, object]) -> str:
    """The file name a call's frame is kept and recorded under."""
    canonical = json.dumps(
        {"function": function, "args": dict(sorted(args.items()))},
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:12]
    return f"{function}-{digest}.csv.gz"


def write_frame(path: Path, frame: pd.DataFrame) -> None:
    """Write a frame as gzip CSV with its index (NBS tables name their series in it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=True, compression="gzip")


def read_frame(path: Path) -> pd.DataFrame:
    """A frame written by :func:`write_frame`, every cell as text (as some days serve it)."""
    frame = pd.read_csv(path, index_col=0, dtype=str, keep_default_na=False, compression="gzip")
    frame.index = frame.index.astype(str)
    frame.index.name = None
    return frame


def read_calendar(path: Path) -> frozenset[date]:
    """Trading days from a JSON list of YYYYMMDD texts (AKShare's ``calendar.json``)."""
    days = json.loads(path.read_text(encoding="utf-8"))
    return frozenset(datetime.strptime(str(day), "%Y%m%d").date() for day in days)


def is_open(day: date, calendar: frozenset[date] | None) -> bool:
    """Whether ``day`` is a trading day: the library's calendar where it covers the day, else
    the approximate exchange calendar (:func:`feeds.calendar.is_trading_day`)."""
    if calendar and day <= max(calendar):
        return day in calendar
    return is_trading_day(day)


class RecordedFrames:
    """Replays frames recorded in ``directory`` (and its ``calendar.json``, if any)."""

    def __init__(self, directory: Path, *, name: str = "recorded frames") -> None:
        self.directory = directory
        self.name = f"{name} in {directory}"

    def function(self, name: str) -> LibraryFunction:
        def replay(**args: object) -> pd.DataFrame:
            path = self.directory / frame_file(name, args)
            if not path.is_file():
                raise LookupError(f"no recorded frame for {call_text(name, args)} ({path.name})")
            return read_frame(path)

        return replay

    def calendar(self) -> frozenset[date] | None:
        path = self.directory / CALENDAR_FILE
        return read_calendar(path) if path.is_file() else None


class ImportedAkshare:
    """The installed AKShare (``pip install '.[live]'``), imported on first use."""

    name = "AKShare"

    def _module(self) -> object:
        try:
            return importlib.import_module("akshare")
        except ImportError as error:
            raise LibraryMissing(
                f"AKShare is not installed ({error}); install the extra: pip install '.[live]'"
            ) from error

    def function(self, name: str) -> LibraryFunction:
        module = self._module()
        found = getattr(module, name, None)
        if not callable(found):
            version = getattr(module, "__version__", "?")
            raise LibraryMissing(f"AKShare {version} has no function {name!r}")

        def call(**args: object) -> pd.DataFrame:
            frame = found(**args)
            if not isinstance(frame, pd.DataFrame):  # some functions warn and return None
                return pd.DataFrame()
            return frame

        return call

    def calendar(self) -> frozenset[date] | None:
        try:
            cons = importlib.import_module("akshare.futures.cons")
        except ImportError:
            return None
        days = cons.get_calendar()
        return frozenset(datetime.strptime(str(day), "%Y%m%d").date() for day in days)


__all__ = [
    "CALENDAR_FILE",
    "FrameKeeper",
    "FunctionTable",
    "ImportedAkshare",
    "LibraryFunction",
    "LibraryMissing",
    "RecordedFrames",
    "call_text",
    "frame_file",
    "is_open",
    "read_calendar",
    "read_frame",
    "write_frame",
]
