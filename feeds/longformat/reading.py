"""Reading long files (CSV or XLSX) into a frame of text cells, one row per line.

Every row keeps its line number (the header is line 1), its raw text and its field count, so
that validation can refuse a malformed row with a reason instead of failing the whole file.
"""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Hashable, Iterator
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from feeds.longformat.columns import as_text, mask_by_distinct_value
from feeds.longformat.files import read_text, xlsx_records
from feeds.longformat.schema import LONG_COLUMNS, MAX_COLUMNS, FileFormatError
from feeds.workbooks import DEFAULT_MAX_UNPACKED


def read_long_file(
    path: Path,
    *,
    encoding: str = "utf-8",
    max_bytes: int | None = None,
    max_unpacked: int = DEFAULT_MAX_UNPACKED,
) -> pd.DataFrame:
    """Read a CSV or XLSX long file into a frame of strings with a ``line`` and ``raw`` column.

    Rows with the wrong number of fields are kept with a ``field_count`` so that validation
    can refuse them with a reason instead of failing the whole file. A CSV file is text in
    ``encoding``; a file larger than ``max_bytes`` is refused, and a workbook unpacking to
    more than ``max_unpacked`` bytes (:mod:`feeds.longformat.files`).
    """
    if path.suffix.lower() in {".csv", ".txt", ""}:
        text = read_text(path, encoding=encoding, max_bytes=max_bytes)
        return csv_text_frame(text, source=path)
    records = file_records(path, max_bytes=max_bytes, max_unpacked=max_unpacked)
    return long_frame_from_records(records, source=path)


# Characters str.splitlines() treats as line breaks but the csv module does not.
_OTHER_LINE_BREAKS: Final = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
# ASCII characters str.strip() removes that can sit inside a line here; any non-ASCII text may
# hold others (U+3000, NBSP). Without them, stripping the values (~0.5 s a million) is skipped.
_SPACES: Final = " \t\x1f"
# Columns with few distinct values are read as categoricals: checks then run once per value.
_REPEATING: Final[frozenset[str]] = frozenset(LONG_COLUMNS) - {"value"}
# What a header split on commas into one cell may have been separated by instead.
_OTHER_SEPARATORS: Final = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def csv_text_frame(text: str, *, source: Path | str) -> pd.DataFrame:
    """The frame of :func:`read_long_file` for CSV ``text``, read with pandas' C parser.

    Text with quotes (a quoted field may span lines) goes through the csv module, which keeps
    line numbers right. Plain text, the usual case, is read by pandas in one pass when every
    line has the header's number of fields, and line by line only when some do not.
    """
    if any(mark in text for mark in ('"', "\x00", *_OTHER_LINE_BREAKS)):  # NUL ends C strings
        return long_frame_from_records(list(csv_text_records(text, source=source)), source=source)
    lines = text.splitlines()
    if not lines:
        raise FileFormatError(source, "the file is empty; expected a header row")
    header = lines[0].split(",")
    positions, width = _header_positions(header, source)
    body = np.asarray(lines[1:], dtype=object)
    numbers = np.arange(2, len(lines) + 1, dtype=np.int64)
    cells, regular, irregular = _read_body(text, body, header, width)
    padded = not text.isascii() or any(space in text for space in _SPACES)
    frame = pd.DataFrame(
        {
            name: _strip(cells[position]) if padded else cells[position]
            for name, position in zip(LONG_COLUMNS, positions, strict=True)
        }
    )
    frame["line"], frame["raw"], frame["field_count"] = numbers[regular], body[regular], width
    if irregular.any():
        records = [(1, header)] + [
            (int(number), line.split(","))
            for number, line in zip(numbers[irregular], body[irregular], strict=True)
        ]
        odd = long_frame_from_records(records, source=source)
        frame = pd.concat([as_text(frame), odd], ignore_index=True)
        frame = frame.sort_values("line", ignore_index=True)
    frame.attrs["width"] = width
    return frame


def _read_body(
    text: str, body: np.ndarray, header: list[str], width: int
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The cells of the body lines of the header's width, which lines those are (``regular``),
    and which other lines are rows (``irregular``: a field too many or too few)."""
    cells = _read_regular(text, header, width, len(body))
    if cells is not None:  # every line has the header's width; lines of blanks are no rows
        regular = ~_blank_rows(cells)
        cells = cells if regular.all() else cells[regular].reset_index(drop=True)
        return cells, regular, np.zeros(len(body), dtype=bool)
    texts = pd.Series(body, dtype=object)  # some line is irregular: find them line by line
    counts = (texts.str.count(",") + 1).to_numpy(dtype=np.int64)
    nonblank = ~texts.str.fullmatch(r"[\s,]*").to_numpy(dtype=bool)  # as the csv path
    regular = nonblank & (counts == width)
    return _read_cells("\n".join(body[regular]), header, width), regular, nonblank & ~regular


def _read_regular(text: str, header: list[str], width: int, rows: int) -> pd.DataFrame | None:
    """All of ``text`` after its header read in one pass, or None when a line has a field
    too many or too few (including blank lines), which then need reading line by line."""
    if text.count(",") != (width - 1) * (rows + 1):
        return None  # some line has too few or too many fields
    # The count can balance (a line short, another long): the parser warns of the long one.
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)
        try:
            cells = _read_cells(text, header, width, skip_header=True)
        except (pd.errors.ParserError, pd.errors.ParserWarning):
            return None
    return cells if len(cells) == rows else None


def _read_cells(
    text: str, header: list[str], width: int, *, skip_header: bool = False
) -> pd.DataFrame:
    """Plain CSV ``text``, ``width`` fields a line, as text; repeating columns categorical."""
    names = [cell.strip().lower() for cell in header]
    dtypes: dict[Hashable, str] = {
        i: "category" if names[i] in _REPEATING else "str" for i in range(width)
    }
    return pd.read_csv(
        io.BytesIO(text.encode("utf-8")),  # read twice as fast as from a StringIO
        encoding="utf-8",
        header=None,
        skiprows=1 if skip_header else 0,
        names=list(range(width)),
        index_col=False,
        dtype=dtypes,
        keep_default_na=False,
        na_filter=False,
        skip_blank_lines=False,
        engine="c",
    )


def _blank_rows(cells: pd.DataFrame) -> np.ndarray:
    """Rows with nothing but spaces in every cell (the csv path skips them as blank lines)."""
    blank = np.ones(len(cells), dtype=bool)
    categorical_first = sorted(cells, key=lambda p: cells[p].dtype != "category")
    for position in categorical_first:  # checked once per distinct value: cheap
        blank &= mask_by_distinct_value(cells[position], lambda texts: texts.str.strip() == "")
        if not blank.any():
            break
    return blank


def _strip(column: pd.Series) -> pd.Series:
    if isinstance(column.dtype, pd.CategoricalDtype):
        stripped = column.cat.categories.str.strip()
        if stripped.equals(column.cat.categories):
            return column
        return column.astype(object).str.strip().astype("category")
    return column.str.strip()


def _header_positions(cells: list[str], source: Path | str) -> tuple[list[int], int]:
    """Where each long-format column is in a header row, and the row's width.

    A header wider than :data:`MAX_COLUMNS`, missing a column, naming one twice, or separated
    by another character than a comma is a :class:`FileFormatError` saying which.
    """
    if len(cells) > MAX_COLUMNS:
        raise FileFormatError(
            source,
            f"line 1: more than {MAX_COLUMNS} columns in the header ({len(cells):,}); "
            f"expected {','.join(LONG_COLUMNS)}",
        )
    header = [cell.strip().lower() for cell in cells]
    missing = [name for name in LONG_COLUMNS if name not in header]
    if missing:
        raise FileFormatError(source, _missing_columns(missing, cells))
    for name in LONG_COLUMNS:
        places = [str(i + 1) for i, cell in enumerate(header) if cell == name]
        if len(places) > 1:
            raise FileFormatError(
                source,
                f"line 1: column {name} appears {len(places)} times (columns "
                f"{', '.join(places)}); each column may appear once",
            )
    return [header.index(name) for name in LONG_COLUMNS], len(header)


def _missing_columns(missing: list[str], cells: list[str]) -> str:
    expected = ",".join(LONG_COLUMNS)
    if len(cells) == 1:
        for mark, name in _OTHER_SEPARATORS.items():
            if mark in cells[0]:
                return (
                    f"line 1: the columns are separated by {name}; expected commas "
                    f"({expected}): save the file as CSV with commas"
                )
    return f"line 1: header lacks {', '.join(missing)}; expected {expected}"


def file_records(
    path: Path, *, max_bytes: int | None = None, max_unpacked: int = DEFAULT_MAX_UNPACKED
) -> list[tuple[int, list[str]]]:
    """The ``(line, cells)`` records of a CSV file or of an XLSX workbook's one sheet with
    data, as text (:mod:`feeds.longformat.files`: size cap, encoding, sheets)."""
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        return list(xlsx_records(path, max_bytes=max_bytes, max_unpacked=max_unpacked))
    if suffix in {".csv", ".txt", ""}:
        return list(csv_text_records(read_text(path, max_bytes=max_bytes), source=path))
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
