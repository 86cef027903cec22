"""The long format's columns, limits and the records that reading and validating produce."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd

from vocabulary import INDICATOR_KINDS

LONG_COLUMNS: Final[tuple[str, ...]] = (
    "series_id",
    "material",
    "indicator",
    "frequency",
    "period",
    "value",
    "unit",
)
SERIES_ID: Final = r"[a-z][a-z0-9_]*"
# The store's column sizes (the service's tables use these): longer values are refused rows,
# never a database error that would fail the whole batch on PostgreSQL.
# The most columns a header may have: a file has 7, a few more are tolerated (and ignored).
MAX_COLUMNS: Final = 64
FIELD_LIMITS: Final[dict[str, int]] = {"series_id": 128, "material": 64, "unit": 32}
INDICATORS: Final[tuple[str, ...]] = INDICATOR_KINDS  # the vocabulary's, in one place


class FileFormatError(ValueError):
    """A file that cannot be read as a whole: unreadable, wrong encoding, or a bad header."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class FileTooLargeError(FileFormatError):
    """A file larger than the most a caller reads at once (``limit`` bytes)."""

    def __init__(self, path: Path | str, limit: int) -> None:
        self.limit = limit
        super().__init__(path, f"larger than {limit:,} bytes, the most read from one file")


class NotTextError(FileFormatError):
    """A file that is not text in ``encoding``; ``looks_like`` names one it reads as, if any."""

    def __init__(
        self, path: Path | str, *, encoding: str, byte: int, looks_like: str | None
    ) -> None:
        self.encoding = encoding
        self.looks_like = looks_like
        problem = f"not {encoding} text (byte {byte})"
        if looks_like:
            problem += f"; it looks like {looks_like} (what Chinese Excel saves by default)"
        super().__init__(path, f"{problem}: save the file as UTF-8")


@dataclass(frozen=True)
class SeriesSpec:
    """What a series is: the fields a row must agree with."""

    series_id: str
    material: str
    indicator: str
    frequency: str
    unit: str


@dataclass(frozen=True)
class ParsedBatch:
    """The outcome of reading one file.

    ``observations`` has the long columns plus ``line`` and ``raw`` (period as datetime64,
    value float), so that a later step refusing an accepted row can still show it as it was;
    ``rejects`` has ``line``, ``raw`` (the row as it was in the file) and ``reason``;
    ``new_series`` are series the file names that the caller did not know yet.
    """

    source: str
    observations: pd.DataFrame
    rejects: pd.DataFrame
    new_series: tuple[SeriesSpec, ...]
