"""What one feed run gives back: :class:`FetchResult`, and the :class:`Validators` to remember.

A ``FetchResult`` is plain data for the service to store in one transaction:

- ``observations``: the accepted rows in the long format (docs/contracts.md) with ``period``
  as datetime64 and ``value`` as float, plus ``line`` (where the row was in the source) and a
  boolean ``suspect`` column (accepted, but an implausible jump; see :mod:`feeds.quality`);
- ``rejects``: one row per refused source row with ``series_id`` (may be empty), ``line``,
  ``location`` (file or URL plus row), ``raw`` (the row as the source gave it) and ``reason``;
- ``validators``: the ETag / Last-Modified to send next time (``None`` when the source has none);
- ``status``: ``"ok"``, ``"unchanged"`` (the source answered 304 or the file did not change),
  or ``"failed"`` (then ``error`` says what went wrong, naming the feed and the URL or file).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

import pandas as pd

from feeds.longformat import LONG_COLUMNS


class FetchStatus(StrEnum):
    """How a fetch ended: stored rows to give, nothing new at the source, or a failure."""

    OK = "ok"
    UNCHANGED = "unchanged"
    FAILED = "failed"


OBSERVATION_COLUMNS: Final[tuple[str, ...]] = (*LONG_COLUMNS, "line", "suspect")
REJECT_COLUMNS: Final[tuple[str, ...]] = ("series_id", "line", "location", "raw", "reason")


@dataclass(frozen=True)
class Validators:
    """Conditional-request validators of a source: send them back to skip unchanged data."""

    etag: str | None = None
    last_modified: str | None = None

    @property
    def empty(self) -> bool:
        return self.etag is None and self.last_modified is None


@dataclass(frozen=True)
class FetchResult:
    """The outcome of one feed run; see the module docstring for the columns."""

    feed_id: str
    location: str
    status: FetchStatus
    observations: pd.DataFrame
    rejects: pd.DataFrame
    validators: Validators | None
    rows_fetched: int
    error: str | None = None

    @property
    def unchanged(self) -> bool:
        return self.status == FetchStatus.UNCHANGED

    @property
    def accepted(self) -> int:
        return len(self.observations)

    @property
    def rejected(self) -> int:
        return len(self.rejects)

    @property
    def suspect(self) -> int:
        return int(self.observations["suspect"].sum()) if len(self.observations) else 0


def empty_observations() -> pd.DataFrame:
    """An observation frame with no rows and the right columns and dtypes."""
    frame = pd.DataFrame({column: pd.Series(dtype=object) for column in OBSERVATION_COLUMNS})
    frame["period"] = pd.Series(dtype="datetime64[ns]")
    frame["value"] = pd.Series(dtype=float)
    frame["line"] = pd.Series(dtype="int64")
    frame["suspect"] = pd.Series(dtype=bool)
    return frame


def empty_rejects() -> pd.DataFrame:
    """A reject frame with no rows."""
    frame = pd.DataFrame({column: pd.Series(dtype=object) for column in REJECT_COLUMNS})
    frame["line"] = pd.Series(dtype="int64")
    return frame


def failed(
    feed_id: str, location: str, error: str, validators: Validators | None = None
) -> FetchResult:
    """A result for a run that produced nothing; ``validators`` are kept for the next run."""
    return FetchResult(
        feed_id=feed_id,
        location=location,
        status=FetchStatus.FAILED,
        observations=empty_observations(),
        rejects=empty_rejects(),
        validators=validators,
        rows_fetched=0,
        error=error,
    )
