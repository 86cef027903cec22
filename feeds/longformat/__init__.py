"""Reading and validating observation files in the long format.

The long format is ``series_id,material,indicator,frequency,period,value,unit`` (see
docs/contracts.md). Reading (:mod:`feeds.longformat.reading`) keeps every line with its number;
validation (:mod:`feeds.longformat.validation`) is vectorised with pandas so that a file of a
million rows is checked in seconds. Every refused row comes back with its line number (the
header is line 1) and a reason; a refused row never stops the good rows of the same file.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

from feeds.longformat.reading import (
    csv_text_frame,
    csv_text_records,
    file_records,
    long_frame_from_records,
    read_long_file,
)
from feeds.longformat.schema import (
    FIELD_LIMITS,
    INDICATORS,
    LONG_COLUMNS,
    MAX_COLUMNS,
    SERIES_ID,
    FileFormatError,
    FileTooLargeError,
    NotTextError,
    ParsedBatch,
    SeriesSpec,
)
from feeds.longformat.validation import validate_long_frame
from feeds.workbooks import DEFAULT_MAX_UNPACKED

__all__ = [
    "FIELD_LIMITS",
    "INDICATORS",
    "LONG_COLUMNS",
    "MAX_COLUMNS",
    "SERIES_ID",
    "FileFormatError",
    "FileTooLargeError",
    "NotTextError",
    "ParsedBatch",
    "SeriesSpec",
    "csv_text_frame",
    "csv_text_records",
    "file_records",
    "long_frame_from_records",
    "parse_long_file",
    "read_long_file",
    "validate_long_frame",
]


def parse_long_file(
    path: Path,
    *,
    known_materials: frozenset[str],
    known_series: Mapping[str, SeriesSpec],
    today: date | None,
    encoding: str = "utf-8",
    max_bytes: int | None = None,
    max_unpacked: int = DEFAULT_MAX_UNPACKED,
) -> ParsedBatch:
    """Read (:func:`read_long_file`) and validate (:func:`validate_long_frame`) a long file."""
    frame = read_long_file(path, encoding=encoding, max_bytes=max_bytes, max_unpacked=max_unpacked)
    return validate_long_frame(
        frame,
        source=str(path),
        known_materials=known_materials,
        known_series=known_series,
        today=today,
    )
