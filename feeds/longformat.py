"""Reading and validating observation files in the long format.

The long format is ``series_id,material,indicator,frequency,period,value,unit`` (see
docs/contracts.md). Validation is vectorised with pandas so that a file of a million rows is
checked in seconds. Every refused row comes back with its line number (the header is line 1)
and a reason; a refused row never stops the good rows of the same file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import asdict, dataclass
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
_OTHER_LINE_BREAKS: Final = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
# Columns with few distinct values are read as categoricals: checks then run once per value.
_REPEATING: Final[frozenset[str]] = frozenset(LONG_COLUMNS) - {"value"}


def csv_text_frame(text: str, *, source: Path | str) -> pd.DataFrame:
    """The frame of :func:`read_long_file` for CSV ``text``, read with pandas' C parser.

    Text with quotes (a quoted field may span lines) goes through the csv module, which keeps
    line numbers right. Plain text, the usual case, is read by pandas in one pass when every
    line has the header's number of fields, and line by line only when some do not.
    """
    if any(mark in text for mark in ('"', *_OTHER_LINE_BREAKS)):
        return long_frame_from_records(list(csv_text_records(text, source=source)), source=source)
    lines = text.splitlines()
    if not lines:
        raise FileFormatError(source, "the file is empty; expected a header row")
    header = lines[0].split(",")
    positions, width = _header_positions(header, source)
    body = np.asarray(lines[1:], dtype=object)
    numbers = np.arange(2, len(lines) + 1, dtype=np.int64)
    cells = _read_regular(text, header, width, len(body))
    if cells is not None:  # every line has the header's width; lines of blanks are no rows
        regular, irregular = ~_blank_rows(cells), np.zeros(len(body), dtype=bool)
        cells = cells if regular.all() else cells[regular].reset_index(drop=True)
    else:  # some line has a field too many or too few: find them line by line
        texts = pd.Series(body, dtype=object)
        counts = (texts.str.count(",") + 1).to_numpy(dtype=np.int64)
        nonblank = ~texts.str.fullmatch(r"[\s,]*").to_numpy(dtype=bool)  # as the csv path
        regular = nonblank & (counts == width)
        irregular = nonblank & ~regular
        cells = _read_cells("\n".join(body[regular]), header, width)
    padded = " " in text or "\t" in text  # stripping a million values costs ~0.5 s
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
        frame = pd.concat([_as_text(frame), odd], ignore_index=True)
        frame = frame.sort_values("line", ignore_index=True)
    frame.attrs["width"] = width
    return frame


def _read_regular(text: str, header: list[str], width: int, rows: int) -> pd.DataFrame | None:
    """All of ``text`` after its header read in one pass, or None when a line has a field
    too many or too few (including blank lines), which then need reading line by line."""
    if text.count(",") != (width - 1) * (rows + 1):
        return None  # some line has too few fields (too many is caught by the parser)
    try:
        cells = _read_cells(text, header, width, skip_header=True)
    except pd.errors.ParserError:
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
        blank &= _each_value(cells[position], lambda texts: texts.str.strip() == "")
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


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with categorical columns turned back into plain text columns."""
    kinds = {name: object for name in frame if isinstance(frame[name].dtype, pd.CategoricalDtype)}
    return frame.astype(kinds) if kinds else frame


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

    Checks of text run once per distinct value (a million rows name a few thousand series,
    materials and dates), and reasons are written only for the rows refused.
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
        reasons[newly] = why if isinstance(why, str) else why(_as_text(frame[newly]))

    width = int(frame.attrs.get("width", len(LONG_COLUMNS)))
    if "field_count" in frame:
        refuse(
            frame["field_count"] != width,
            lambda rows: f"expected {width} fields, found " + rows["field_count"].astype(str),
        )
    for column in LONG_COLUMNS:
        refuse(frame[column] == "", f"empty {column}")
    for column, limit in FIELD_LIMITS.items():
        refuse(_longer(frame[column], limit), f"{column} longer than {limit} characters")
    refuse(
        _each_value(frame["series_id"], lambda ids: ~ids.str.fullmatch(SERIES_ID)),
        lambda rows: "bad series_id '" + rows["series_id"] + "'; expected lower snake case",
    )
    refuse(
        _each_value(frame["material"], lambda names: ~names.isin(known_materials)),
        lambda rows: "unknown material '" + rows["material"] + "'",
    )
    refuse(
        _each_value(frame["indicator"], lambda names: ~names.isin(INDICATORS)),
        lambda rows: (
            "unknown indicator '"
            + rows["indicator"]
            + f"'; expected one of {', '.join(INDICATORS)}"
        ),
    )
    refuse(
        _each_value(frame["frequency"], lambda codes: ~codes.isin(FREQUENCIES)),
        lambda rows: (
            "unknown frequency '"
            + rows["frequency"]
            + f"'; expected one of {', '.join(FREQUENCIES)}"
        ),
    )
    normalised = _normalised_periods(frame)
    refuse(
        _each_value(frame["period"], lambda texts: _parse_dates(texts).isna()),
        lambda rows: "bad date '" + rows["period"] + "'; expected YYYY-MM-DD",
    )
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
    conflicts = pd.Series(_series_conflicts(frame, ~refused, known_series), index=frame.index)
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
    columns: dict[str, np.ndarray] = {
        name: np.asarray(frame[name], dtype=object)[ok]
        for name in LONG_COLUMNS
        if name not in ("period", "value")
    }
    columns["period"] = normalised.to_numpy()[ok]
    columns["value"] = values.to_numpy(dtype=float)[ok]
    columns["line"] = frame["line"].to_numpy(dtype=np.int64)[ok]
    observations = pd.DataFrame(columns)[[*LONG_COLUMNS, "line"]]
    rejects = pd.DataFrame(
        {"line": frame.loc[~ok, "line"], "raw": frame.loc[~ok, "raw"], "reason": reasons[~ok]}
    ).reset_index(drop=True)
    return ParsedBatch(
        source=source,
        observations=observations,
        rejects=rejects,
        new_series=_new_series(observations, known_series),
    )


def _each_value(column: pd.Series, compute: Callable[[pd.Series], pd.Series]) -> np.ndarray:
    """``compute`` run on the distinct values of ``column`` only, spread back to every row."""
    codes, distinct = pd.factorize(column, use_na_sentinel=False)
    return np.asarray(compute(pd.Series(distinct, dtype=object)), dtype=bool)[codes]


def _longer(column: pd.Series, limit: int) -> np.ndarray:
    return _each_value(column, lambda texts: texts.str.len() > limit)


def _groups(columns: list[pd.Series]) -> tuple[np.ndarray, np.ndarray]:
    """Each row's group of equal values across ``columns``, numbered in order of first
    appearance, and the position of each group's first row."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        codes, distinct = pd.factorize(column, use_na_sentinel=False)
        key, _ = pd.factorize(key * len(distinct) + codes)
    return key, np.unique(key, return_index=True)[1]


def _parse_dates(texts: pd.Series) -> pd.Series:
    return pd.to_datetime(texts, format="%Y-%m-%d", errors="coerce")


def _normalised_periods(frame: pd.DataFrame) -> pd.Series:
    """Each row's period as the first day of the period its frequency names (NaT if the date
    or the frequency is bad), computed once per distinct date and frequency."""
    groups, first = _groups([frame["period"], frame["frequency"]])
    days = _parse_dates(pd.Series(np.asarray(frame["period"], dtype=object)[first]))
    frequencies = pd.Series(np.asarray(frame["frequency"], dtype=object)[first])
    datable = days.notna() & frequencies.isin(FREQUENCIES)
    starts = pd.Series(pd.NaT, index=days.index, dtype="datetime64[ns]")
    starts[datable] = normalise_periods(days[datable], frequencies[datable])
    return pd.Series(starts.to_numpy()[groups], index=frame.index)


def _first_line_of_duplicates(
    series_ids: pd.Series, periods: pd.Series, lines: pd.Series
) -> pd.Series:
    """For each row repeating an earlier row's series and period, that earlier row's line."""
    keys = pd.DataFrame(
        {"series": pd.factorize(series_ids)[0], "period": periods.to_numpy(dtype=np.int64)},
        index=series_ids.index,
    )
    repeated = keys.duplicated(keep="first")
    if not repeated.any():
        return pd.Series(dtype=np.int64)
    involved = keys.duplicated(keep=False)
    first = lines[involved].groupby([keys["series"][involved], keys["period"][involved]])
    return first.transform("min")[repeated[involved]].astype(np.int64)


_SPEC_FIELDS: Final[tuple[str, ...]] = ("material", "indicator", "frequency", "unit")


def _series_conflicts(
    frame: pd.DataFrame, candidate: np.ndarray, known_series: Mapping[str, SeriesSpec]
) -> np.ndarray:
    """Reasons for ``candidate`` rows that contradict their series ("" for the others): the
    stored series, or else the file's first row of it. Checked once per distinct row spec."""
    reasons = np.full(len(frame), "", dtype=object)
    rows = frame.loc[candidate, ["series_id", *_SPEC_FIELDS]]
    if rows.empty:
        return reasons
    groups, first = _groups([rows[name] for name in rows])
    specs = _as_text(rows.iloc[first]).reset_index(drop=True)  # in order of first appearance
    expected = specs.drop_duplicates("series_id").set_index("series_id")
    stored = [asdict(known_series[i]) for i in expected.index if i in known_series]
    if stored:
        expected.update(pd.DataFrame(stored).set_index("series_id"))
    wanted = expected.reindex(specs["series_id"]).reset_index(drop=True)
    spec_reasons = pd.Series("", index=specs.index, dtype=object)
    for field in _SPEC_FIELDS:
        clash = (specs[field] != wanted[field]) & (spec_reasons == "")
        spec_reasons[clash] = (
            f"{field} '"
            + specs.loc[clash, field]
            + "' contradicts series '"
            + specs.loc[clash, "series_id"]
            + f"' whose {field} is '"
            + wanted.loc[clash, field]
            + "'"
        )
    reasons[candidate] = spec_reasons.to_numpy()[groups]
    return reasons


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
