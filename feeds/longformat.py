"""Reading and validating observation files in the long format.

The long format is ``series_id,material,indicator,frequency,period,value,unit`` (see
docs/contracts.md). Validation is vectorised with pandas so that a file of a million rows is
checked in seconds. Every refused row comes back with its line number (the header is line 1)
and a reason; a refused row never stops the good rows of the same file.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from feeds.periods import FREQUENCIES, normalise_periods

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
INDICATORS: Final[tuple[str, ...]] = ("price", "output", "inventory", "import", "export")


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

    ``observations`` has the long columns plus ``line`` (period as datetime64, value float),
    ``rejects`` has ``line``, ``raw`` (the row as it was in the file) and ``reason``;
    ``new_series`` are series the file names that the caller did not know yet.
    """

    source: str
    observations: pd.DataFrame
    rejects: pd.DataFrame
    new_series: tuple[SeriesSpec, ...]


def read_long_file(path: Path) -> pd.DataFrame:
    """Read a CSV or XLSX long file into a frame of strings with a ``line`` and ``raw`` column.

    Rows with the wrong number of fields are kept with a ``field_count`` so that validation
    can refuse them with a reason instead of failing the whole file.
    """
    if path.suffix.lower() in {".csv", ".txt", ""}:
        return csv_text_frame(_read_text(path), source=path)
    return long_frame_from_records(file_records(path), source=path)


# Characters str.splitlines() treats as line breaks but the csv module does not.
_PADDED_CELL = re.compile(r"[ \t],|,[ \t]|[ \t]$|^[ \t]", re.MULTILINE)
_OTHER_LINE_BREAKS = re.compile("[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def csv_text_frame(text: str, *, source: Path | str) -> pd.DataFrame:
    """The frame of :func:`read_long_file` for CSV ``text``, read with pandas' C parser.

    Text with quotes (a quoted field may span lines) goes through the csv module, which keeps
    line numbers right; plain text, the usual case, is read about ten times faster here.
    """
    if '"' in text or _OTHER_LINE_BREAKS.search(text):
        return long_frame_from_records(list(csv_text_records(text, source=source)), source=source)
    lines = text.splitlines()
    if not lines:
        raise FileFormatError(source, "the file is empty; expected a header row")
    positions, width = _header_positions(lines[0].split(","), source)
    body = pd.Series(lines[1:], dtype=object)
    numbers = np.arange(2, len(lines) + 1, dtype=np.int64)
    counts = (body.str.count(",") + 1).to_numpy(dtype=np.int64)
    nonblank = ~body.str.fullmatch(r"[\s,]*").to_numpy(dtype=bool)  # as in the csv path
    regular = nonblank & (counts == width)
    cells = pd.read_csv(
        io.StringIO("\n".join(body[regular])),
        header=None,
        names=list(range(width)),
        dtype=str,
        keep_default_na=False,
        na_filter=False,
        skip_blank_lines=False,
        engine="c",
    )
    padded = _PADDED_CELL.search(text) is not None  # stripping a million cells costs ~1 s
    frame = pd.DataFrame(
        {
            name: cells[position].str.strip() if padded else cells[position]
            for name, position in zip(LONG_COLUMNS, positions, strict=True)
        }
    )
    frame["line"], frame["raw"], frame["field_count"] = (
        numbers[regular],
        body[regular].to_numpy(),
        width,
    )
    irregular = nonblank & ~regular
    if irregular.any():
        records = [(1, lines[0].split(","))] + [
            (int(number), line.split(","))
            for number, line in zip(numbers[irregular], body[irregular], strict=True)
        ]
        odd = long_frame_from_records(records, source=source)
        frame = pd.concat([frame, odd], ignore_index=True).sort_values("line", ignore_index=True)
    frame.attrs["width"] = width
    return frame


def _header_positions(cells: list[str], source: Path | str) -> tuple[list[int], int]:
    """Where each long-format column is in a header row, and the row's width."""
    header = [cell.strip().lower() for cell in cells]
    missing = [name for name in LONG_COLUMNS if name not in header]
    if missing:
        raise FileFormatError(
            source,
            f"line 1: header lacks {', '.join(missing)}; expected {','.join(LONG_COLUMNS)}",
        )
    return [header.index(name) for name in LONG_COLUMNS], len(header)


def file_records(path: Path) -> list[tuple[int, list[str]]]:
    """The ``(line, cells)`` records of a CSV file or of an XLSX file's first sheet, as text."""
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        return list(_xlsx_records(path))
    if suffix in {".csv", ".txt", ""}:
        return list(_csv_records(path))
    raise FileFormatError(path, f"unsupported file type {suffix!r}; expected .csv or .xlsx")


def long_frame_from_records(
    records: list[tuple[int, list[str]]], *, source: Path | str
) -> pd.DataFrame:
    """Build the frame of :func:`read_long_file` from ``(line, cells)`` records, header first.

    Feeds use this for long-format data that does not come from a local file (an HTTP body).
    """
    if not records:
        raise FileFormatError(source, "the file is empty; expected a header row")
    positions, width = _header_positions(records[0][1], source)
    lines, raws, counts = [], [], []
    columns: list[list[str]] = [[] for _ in LONG_COLUMNS]
    for line, cells in records[1:]:
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are not rows
        lines.append(line)
        raws.append(_as_csv_line(cells))
        counts.append(len(cells))
        padded = cells + [""] * (width - len(cells))
        for column, position in zip(columns, positions, strict=True):
            column.append(padded[position].strip())
    frame = pd.DataFrame(dict(zip(LONG_COLUMNS, columns, strict=True)), dtype=object)
    frame["line"] = np.asarray(lines, dtype=np.int64)
    frame["raw"] = raws
    frame["field_count"] = np.asarray(counts, dtype=np.int64)
    frame.attrs["width"] = width
    return frame


def _as_csv_line(cells: list[str]) -> str:
    """The cells as one CSV line, quoted where needed, so a stored raw row reads as input."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(cells)
    return buffer.getvalue()


def _csv_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    yield from csv_text_records(_read_text(path), source=path)


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise FileFormatError(path, f"cannot read the file ({error.strerror})") from error
    except UnicodeDecodeError as error:
        raise FileFormatError(
            path, f"not UTF-8 text (byte {error.start}); save the file as UTF-8"
        ) from error


def csv_text_records(text: str, *, source: Path | str) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line, cells)`` for CSV ``text``; a malformed quote is a FileFormatError."""
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as error:
        raise FileFormatError(source, f"line {reader.line_num}: {error}") from error


def _xlsx_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook  # imported here: only XLSX files need it

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken workbook
        raise FileFormatError(path, f"not a readable XLSX workbook ({error})") from error
    sheet = workbook.worksheets[0]
    for index, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [_xlsx_cell_text(value) for value in row]
        while cells and cells[-1] == "":
            cells.pop()
        yield index, cells
    workbook.close()


def _xlsx_cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def validate_long_frame(
    frame: pd.DataFrame,
    *,
    source: str,
    known_materials: frozenset[str],
    known_series: Mapping[str, SeriesSpec],
    today: date | None,
) -> ParsedBatch:
    """Check every row and split the frame into accepted observations and rejected rows.

    A row is refused with the first reason that applies, in this order: wrong field count,
    an empty field, a series id that is not lower snake case, an unknown material /
    indicator / frequency, a bad date, a future period (unless ``today`` is None), a bad
    number, a non-positive price, a contradiction with its series, a duplicate period.
    """
    reasons = pd.Series("", index=frame.index, dtype=object)
    refused = np.zeros(len(frame), dtype=bool)

    def refuse(
        mask: pd.Series | np.ndarray, why: Callable[[pd.DataFrame], pd.Series] | str
    ) -> None:
        """Give rows in ``mask`` not refused yet the reason ``why`` (built for them only)."""
        newly = np.asarray(mask, dtype=bool) & ~refused
        if not newly.any():
            return
        refused[newly] = True
        reasons[newly] = why if isinstance(why, str) else why(frame[newly])

    width = int(frame.attrs.get("width", len(LONG_COLUMNS)))
    if "field_count" in frame:
        refuse(
            frame["field_count"] != width,
            lambda rows: f"expected {width} fields, found " + rows["field_count"].astype(str),
        )
    for column in LONG_COLUMNS:
        refuse(frame[column] == "", f"empty {column}")
    for column, limit in FIELD_LIMITS.items():
        refuse(frame[column].str.len() > limit, f"{column} longer than {limit} characters")
    refuse(
        ~frame["series_id"].str.fullmatch(SERIES_ID).fillna(False).astype(bool),
        lambda rows: "bad series_id '" + rows["series_id"] + "'; expected lower snake case",
    )
    refuse(
        ~frame["material"].isin(known_materials),
        lambda rows: "unknown material '" + rows["material"] + "'",
    )
    refuse(
        ~frame["indicator"].isin(INDICATORS),
        lambda rows: (
            "unknown indicator '"
            + rows["indicator"]
            + f"'; expected one of {', '.join(INDICATORS)}"
        ),
    )
    refuse(
        ~frame["frequency"].isin(FREQUENCIES),
        lambda rows: (
            "unknown frequency '"
            + rows["frequency"]
            + f"'; expected one of {', '.join(FREQUENCIES)}"
        ),
    )
    periods = pd.to_datetime(frame["period"], format="%Y-%m-%d", errors="coerce")
    refuse(periods.isna(), lambda rows: "bad date '" + rows["period"] + "'; expected YYYY-MM-DD")
    datable = periods.notna() & frame["frequency"].isin(FREQUENCIES)
    normalised = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    normalised[datable] = normalise_periods(periods[datable], frame.loc[datable, "frequency"])
    if today is not None:  # None: history replays, where no period is "future"
        refuse(  # the period, not the date: 2026-11-30 names November, which has begun
            normalised > pd.Timestamp(today),
            lambda rows: "period " + rows["period"] + " is in the future",
        )
    values = pd.to_numeric(frame["value"], errors="coerce")
    refuse(values.isna() | ~np.isfinite(values), lambda rows: "bad number '" + rows["value"] + "'")
    refuse(
        (frame["indicator"] == "price") & (values <= 0),
        lambda rows: "non-positive price " + rows["value"],
    )
    conflicts = _series_conflicts(frame, reasons, known_series)
    refuse(conflicts != "", lambda rows: conflicts[rows.index])

    ok = ~refused
    first_lines = _first_line_of_duplicates(
        frame["series_id"][ok], normalised[ok], frame["line"][ok]
    )
    refuse(
        frame.index.isin(first_lines.index),
        lambda rows: (
            "duplicate of line " + first_lines[rows.index].astype(str) + " (same series and period)"
        ),
    )

    ok = ~refused
    observations = frame.loc[ok, [*LONG_COLUMNS, "line"]].copy()
    observations["period"] = normalised[ok]
    observations["value"] = values[ok].astype(float)
    observations = observations.reset_index(drop=True)
    rejects = pd.DataFrame(
        {"line": frame.loc[~ok, "line"], "raw": frame.loc[~ok, "raw"], "reason": reasons[~ok]}
    ).reset_index(drop=True)
    return ParsedBatch(
        source=source,
        observations=observations,
        rejects=rejects,
        new_series=_new_series(observations, known_series),
    )


def _first_line_of_duplicates(
    series_ids: pd.Series, periods: pd.Series, lines: pd.Series
) -> pd.Series:
    """For each row repeating an earlier row's series and period, that earlier row's line."""
    keys = pd.DataFrame({"series_id": series_ids, "period": periods})
    repeated = keys.duplicated(keep="first")
    if not repeated.any():
        return pd.Series(dtype=np.int64)
    involved = keys.duplicated(keep=False)
    first = lines[involved].groupby([series_ids[involved], periods[involved]]).transform("min")
    return first[repeated[involved]].astype(np.int64)


def _series_conflicts(
    frame: pd.DataFrame, reasons: pd.Series, known_series: Mapping[str, SeriesSpec]
) -> pd.Series:
    """Reasons for rows that contradict their series: the stored one, or the file's first row."""
    conflicts = pd.Series("", index=frame.index, dtype=object)
    candidates = frame[reasons == ""]
    if candidates.empty:
        return conflicts
    first_rows = candidates.drop_duplicates("series_id").set_index("series_id")
    expected: dict[str, SeriesSpec] = {
        str(series_id): SeriesSpec(
            str(series_id),
            str(row["material"]),
            str(row["indicator"]),
            str(row["frequency"]),
            str(row["unit"]),
        )
        for series_id, row in first_rows.iterrows()
    }
    expected.update({k: v for k, v in known_series.items() if k in expected})
    for field in ("material", "indicator", "frequency", "unit"):
        wanted = candidates["series_id"].map({k: getattr(v, field) for k, v in expected.items()})
        clash = (candidates[field] != wanted) & (conflicts[candidates.index] == "")
        conflicts[clash[clash].index] = (
            f"{field} '"
            + candidates.loc[clash, field]
            + "' contradicts series '"
            + candidates.loc[clash, "series_id"]
            + f"' whose {field} is '"
            + wanted[clash]
            + "'"
        )
    return conflicts


def _new_series(
    observations: pd.DataFrame, known_series: Mapping[str, SeriesSpec]
) -> tuple[SeriesSpec, ...]:
    fresh = observations[~observations["series_id"].isin(known_series.keys())]
    first = fresh.drop_duplicates("series_id")
    return tuple(
        SeriesSpec(
            str(row.series_id),
            str(row.material),
            str(row.indicator),
            str(row.frequency),
            str(row.unit),
        )
        for row in first.itertuples(index=False)
    )


def parse_long_file(
    path: Path,
    *,
    known_materials: frozenset[str],
    known_series: Mapping[str, SeriesSpec],
    today: date | None,
) -> ParsedBatch:
    """Read and validate a long file; see :func:`validate_long_frame`."""
    frame = read_long_file(path)
    return validate_long_frame(
        frame,
        source=str(path),
        known_materials=known_materials,
        known_series=known_series,
        today=today,
    )
