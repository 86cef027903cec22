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
# The store's column sizes (warning/models.py uses these): longer values are refused rows,
# never a database error that would fail the whole batch on PostgreSQL.
FIELD_LIMITS: Final[dict[str, int]] = {"series_id": 128, "material": 64, "unit": 32}
INDICATORS: Final[tuple[str, ...]] = INDICATOR_KINDS  # the shared vocabulary's kinds


class FileFormatError(ValueError):
    """A file that cannot be read as a whole: unreadable, wrong encoding, or a bad header."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


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
