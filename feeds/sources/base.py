"""What every source module provides, and what it hands back.

A source is an object with a ``kind`` (the name used in definitions) and
``read(feed, context) -> SourceRows``. It turns its location into rows of text in the long
columns; validation happens afterwards, the same way for every source (:mod:`feeds.engine`).
A source raises :class:`SourceError` when the location as a whole is unusable (unreachable,
not the expected format, a changed shape); single bad rows become rejects instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import httpx
import pandas as pd

from feeds.definitions import FeedDefinition
from feeds.http import HttpPolicy
from feeds.library import FrameKeeper, FunctionTable
from feeds.result import Validators, empty_rejects
from feeds.urls import shown_url


class SourceError(Exception):
    """A location that cannot be read as a whole: ``location`` and ``problem``."""

    def __init__(self, location: str, problem: str) -> None:
        self.location = shown_url(location)  # a URL's query may hold a token
        self.problem = problem
        super().__init__(f"{self.location}: {problem}")


@dataclass(frozen=True)
class ReadContext:
    """Everything a source may use besides its definition; all supplied by the caller."""

    today: date
    policy: HttpPolicy
    client: httpx.Client | None = None
    validators: Validators | None = None
    since: date | None = None
    secrets: Mapping[str, str] = field(default_factory=dict)
    #: the library an ``akshare`` feed calls (None: the installed AKShare) and where its raw
    #: frames are kept (None: not kept)
    functions: FunctionTable | None = None
    keeper: FrameKeeper | None = None


@dataclass(frozen=True)
class SourceRows:
    """Rows read from a source, before validation.

    ``frame`` has the long columns as text, ``line`` (a unique, source-ordered key), ``raw``,
    ``source_line`` (the line, row or record number in the source), ``location`` (where the
    row is, for rejects) and ``precision`` (the finest unit the period text names: D, M, Q
    or Y). ``rejects`` are rows refused while mapping (e.g. an unreadable period).
    """

    location: str
    frame: pd.DataFrame
    rows_fetched: int
    validators: Validators | None = None
    unchanged: bool = False
    rejects: pd.DataFrame = field(default_factory=empty_rejects)


class Source(Protocol):
    """A kind of source, registered in :data:`feeds.sources.SOURCES` under ``kind``.

    ``locations`` says what its location may be: ``"path"`` (a local file or glob), ``"url"``
    (an http:// or https:// URL), or both.
    """

    kind: str
    locations: frozenset[str]

    def read(self, feed: FeedDefinition, context: ReadContext) -> SourceRows:
        """Read the feed's location; raise SourceError when it is unusable as a whole."""
        ...


def unchanged_rows(location: str, validators: Validators | None) -> SourceRows:
    """The answer for a source that has not changed since ``validators`` were recorded."""
    return SourceRows(
        location=location,
        frame=pd.DataFrame(),
        rows_fetched=0,
        validators=validators,
        unchanged=True,
    )
