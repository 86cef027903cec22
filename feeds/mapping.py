"""Turning a source's table of text into rows in the long columns, as a definition maps them.

Two shapes are supported (``mapping.format`` in a definition):

- ``long``: the table already has the long columns (``warning ingest-file`` format);
- ``wide``: one period column (``mapping.period``, parsed with ``mapping.period_format``) and one
  column per series (the series' ``value``, or its ``code``). Header names are compared after
  trimming spaces and trailing ``*`` footnote marks, case-insensitively, so ``"Urea "`` and
  ``"Potassium chloride **"`` match ``Urea`` and ``Potassium chloride``.

Cells equal to one of ``mapping.missing`` (e.g. the World Bank's ``…``) are no observation,
not an error. An unreadable period is a reject with the expected format in the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from feeds.definitions import FeedDefinition, RecordMapping, SeriesMapping
from feeds.longformat import LONG_COLUMNS
from feeds.result import REJECT_COLUMNS
from feeds.sources.base import SourceError, SourceRows

_FOOTNOTE = re.compile(r"[\s*]+$")


def header_key(name: str) -> str:
    """A header compared loosely: trimmed, footnote stars dropped, lower case."""
    return _FOOTNOTE.sub("", name.strip()).strip().lower()


def period_precision(period_format: str) -> str:
    """The finest period a strptime format names: D (a day), M (a month) or Y (a year)."""
    if any(d in period_format for d in ("%d", "%j", "%e")):
        return "D"
    if any(d in period_format for d in ("%m", "%b", "%B")):
        return "M"
    return "Y"


def table_from_records(
    records: Sequence[tuple[int, list[str]]], *, location: str
) -> tuple[list[str], pd.DataFrame]:
    """A header and a frame of text cells (plus ``source_line``, ``raw``) from CSV-like records."""
    if not records:
        raise SourceError(location, "no rows at all; expected a header row")
    header = [cell.strip() for cell in records[0][1]]
    width = len(header)
    body = [(line, cells) for line, cells in records[1:] if any(c.strip() for c in cells)]
    cells = [(row + [""] * width)[:width] for _, row in body]
    table = pd.DataFrame(cells, columns=range(width), dtype=object)
    table.columns = pd.Index([str(i) for i in range(width)])
    table["source_line"] = np.asarray([line for line, _ in body], dtype=np.int64)
    table["raw"] = [",".join(row) for _, row in body]
    table["field_count"] = np.asarray([len(row) for _, row in body], dtype=np.int64)
    return header, table


def resolve_columns(
    header: Sequence[str],
    feed: FeedDefinition,
    *,
    location: str,
    extra: Sequence[str] = (),
    alternates: Sequence[Sequence[str]] = (),
) -> dict[str, str]:
    """Map each series id (and each name in ``extra``) to its column position in ``header``.

    ``alternates`` are further header rows (e.g. series codes) that may name a column too.
    A series whose column is absent is a shape change: SourceError naming what is missing.
    """
    keys: dict[str, str] = {}
    for row in (*alternates, header):
        keys.update({header_key(name): str(i) for i, name in enumerate(row) if name})
    found: dict[str, str] = {}
    for name in extra:
        if header_key(name) not in keys:
            raise SourceError(location, _missing_text(f"column {name!r}", header))
        found[name] = keys[header_key(name)]
    for series in feed.series:
        for candidate in (series.value, series.code):
            if candidate and header_key(candidate) in keys:
                found[series.id] = keys[header_key(candidate)]
                break
        else:
            wanted = series.value or series.code
            raise SourceError(
                location, _missing_text(f"column {wanted!r} for series {series.id}", header)
            )
        if series.minus is not None:
            if header_key(series.minus) not in keys:
                what = f"column {series.minus!r} (minus) for series {series.id}"
                raise SourceError(location, _missing_text(what, header))
            found[minus_key(series.id)] = keys[header_key(series.minus)]
    _refuse_doubled(header, found.values(), location=location)
    return found


def minus_key(series_id: str) -> str:
    """The key of a series' ``minus`` column in :func:`resolve_columns`' result."""
    return f"{series_id}:minus"


def _refuse_doubled(header: Sequence[str], used: Iterable[str], *, location: str) -> None:
    """A column read that the header names more than once: which one holds the values?"""
    for position in sorted({int(p) for p in used if int(p) < len(header)}):
        key = header_key(header[position])
        places = [str(i + 1) for i, name in enumerate(header) if name and header_key(name) == key]
        if len(places) > 1:
            raise SourceError(
                location,
                f"column {header[position]!r} appears {len(places)} times (columns "
                f"{', '.join(places)}); each column read may appear once",
            )


def _missing_text(what: str, header: Sequence[str]) -> str:
    shown = ", ".join(repr(h) for h in header[:12] if h)
    more = " …" if len(header) > 12 else ""
    return f"{what} not found; the header has {shown}{more} (has the layout changed?)"


def wide_rows(
    table: pd.DataFrame,
    *,
    feed: FeedDefinition,
    location: str,
    columns: Mapping[str, str],
    row_label: str = "line",
    units: Mapping[str, str] | None = None,
) -> SourceRows:
    """Stack the series columns of ``table`` into long rows; see the module docstring."""
    mapping = feed.mapping
    table, short = _split_short_rows(table, location=location, row_label=row_label)
    period_text = table[columns[mapping.period]].astype(str).str.strip()
    periods = pd.to_datetime(period_text, format=mapping.period_format, errors="coerce")
    precision = period_precision(mapping.period_format)
    unit_text = None
    if mapping.unit_field is not None:
        unit_text = table[columns[mapping.unit_field]].astype(str).str.strip()
        unit_text = unit_text.replace(mapping.unit_aliases)
    parts: list[pd.DataFrame] = []
    n_series = max(len(feed.series), 1)
    for index, series in enumerate(feed.series):
        value = table[columns[series.id]].astype(str).str.strip()
        if mapping.thousands:
            value = value.str.replace(mapping.thousands, "", regex=False)
        present = ~value.isin(mapping.missing)
        if series.minus is not None or series.scale != 1.0:
            value, present = _transformed(series, table, columns, value, present, mapping)
        if unit_text is not None:
            unit = unit_text
        else:
            unit = pd.Series((units or {}).get(series.id, series.unit), index=table.index)
        part = _series_part(series, table, value, unit, period_text, periods, present)
        part["line"] = table.loc[present, "source_line"] * n_series + index
        parts.append(part)
    fetched = len(table) + len(short)
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if frame.empty:
        return SourceRows(location=location, frame=frame, rows_fetched=fetched, rejects=short)
    frame["location"] = location + f", {row_label} " + frame["source_line"].astype(str)
    frame["precision"] = precision
    frame = frame.sort_values("line", kind="stable").reset_index(drop=True)
    bad = frame["period"] == ""
    rejects = pd.DataFrame(
        {
            "series_id": frame.loc[bad, "series_id"],
            "line": frame.loc[bad, "source_line"],
            "location": frame.loc[bad, "location"],
            "raw": frame.loc[bad, "raw"],
            "reason": "bad period '"
            + frame.loc[bad, "period_text"]
            + f"'; expected the format {mapping.period_format}",
        },
        columns=list(REJECT_COLUMNS),
    )
    frame = frame[~bad].drop(columns="period_text").reset_index(drop=True)
    return SourceRows(
        location=location,
        frame=frame,
        rows_fetched=fetched,
        rejects=pd.concat([short, rejects], ignore_index=True),
    )


def _transformed(
    series: SeriesMapping,
    table: pd.DataFrame,
    columns: Mapping[str, str],
    value: pd.Series,
    present: pd.Series,
    mapping: RecordMapping,
) -> tuple[pd.Series, pd.Series]:
    """(value - minus) x scale where both are numbers; text that is no number stays as it is,
    so that validation refuses it with its reason. A missing ``minus`` cell is no value."""
    number = pd.to_numeric(value.where(present), errors="coerce")
    if series.minus is not None:
        other = table[columns[minus_key(series.id)]].astype(str).str.strip()
        if mapping.thousands:
            other = other.str.replace(mapping.thousands, "", regex=False)
        present = present & ~other.isin(mapping.missing)
        other_number = pd.to_numeric(other.where(present), errors="coerce")
        bad = present & other_number.isna()
        value = value.where(~bad, value + " minus " + other)  # refused: not a number
        number = (number - other_number).where(~bad)
    result = (number * series.scale).map(lambda x: format(x, ".10g"))
    return value.where(number.isna(), result), present


def _split_short_rows(
    table: pd.DataFrame, *, location: str, row_label: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Refuse rows whose field count differs from the header's (e.g. a body cut short)."""
    if "field_count" not in table:
        return table, pd.DataFrame(columns=list(REJECT_COLUMNS))
    width = len([c for c in table.columns if c.isdigit()])
    wrong = table["field_count"] != width
    rejects = pd.DataFrame(
        {
            "series_id": "",
            "line": table.loc[wrong, "source_line"],
            "location": location + f", {row_label} " + table.loc[wrong, "source_line"].astype(str),
            "raw": table.loc[wrong, "raw"],
            "reason": f"expected {width} fields, found "
            + table.loc[wrong, "field_count"].astype(str),
        },
        columns=list(REJECT_COLUMNS),
    )
    return table[~wrong], rejects.reset_index(drop=True)


def _series_part(
    series: SeriesMapping,
    table: pd.DataFrame,
    value: pd.Series,
    unit: pd.Series,
    period_text: pd.Series,
    periods: pd.Series,
    present: pd.Series,
) -> pd.DataFrame:
    iso = periods.dt.strftime("%Y-%m-%d").fillna("")
    return pd.DataFrame(
        {
            "series_id": series.id,
            "material": series.material,
            "indicator": series.indicator,
            "frequency": series.frequency,
            "period": iso[present],
            "value": value[present],
            "unit": unit[present],
            "raw": table.loc[present, "raw"],
            "source_line": table.loc[present, "source_line"],
            "period_text": period_text[present],
        },
        columns=[*LONG_COLUMNS, "raw", "source_line", "period_text"],
    )


def long_rows(frame: pd.DataFrame, *, location: str, rows_fetched: int | None = None) -> SourceRows:
    """Wrap a frame from :func:`feeds.longformat.read_long_file` (or alike) as SourceRows."""
    frame = frame.copy()
    frame["source_line"] = frame["line"]
    frame["location"] = location + ", line " + frame["line"].astype(str)
    frame["precision"] = "D"
    count = len(frame) if rows_fetched is None else rows_fetched
    return SourceRows(location=location, frame=frame, rows_fetched=count)
