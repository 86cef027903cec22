"""``worldbank_pinksheet``: the World Bank monthly commodity workbook (CMO historical data).

The location is a path or an ``http(s)://`` URL of ``CMO-Historical-Data-Monthly.xlsx``. The
sheet (``mapping.sheet``, default ``Monthly Prices``) has a few title rows, then a header row
of series names (``"Iron ore, cfr spot"``, ``"Copper"``, ``"Urea "`` …), a unit row
(``"($/mt)"``), in some editions a row of codes (``IRON_ORE``), then one row per month with the
period in the first column as ``1960M01`` (``mapping.period_format: "%YM%m"``) and ``…`` for
missing values. The header row is the one naming most mapped series, so the number of title
rows may change. Series are mapped by header name or, when present, code (``code`` in the
series mapping). The unit row is translated (``$/mt`` -> ``USD/t``, ``$/dmtu`` -> ``USD/dmtu``)
and checked against each series' unit: a column whose unit changed is rejected row by row.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from feeds.definitions import FeedDefinition
from feeds.mapping import header_key, resolve_columns, wide_rows
from feeds.result import Validators
from feeds.sources._request import fetch_body
from feeds.sources.base import ReadContext, SourceError, SourceRows, unchanged_rows
from feeds.sources.file import file_validators
from feeds.urls import shown_url
from feeds.workbooks import DEFAULT_MAX_UNPACKED, WorkbookError, check_unpacked

DEFAULT_SHEET: Final = "Monthly Prices"
_CODE: Final = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_HEADER_SEARCH_ROWS: Final = 30


class WorldBankPinkSheet:
    kind = "worldbank_pinksheet"
    locations = frozenset({"path", "url"})

    def read(self, feed: FeedDefinition, context: ReadContext) -> SourceRows:
        content, validators, location = self._content(feed, context)
        if content is None:
            return unchanged_rows(location, validators)
        rows = sheet_rows(content, feed.mapping.sheet or DEFAULT_SHEET, location=location)
        header_at = _header_row(rows, feed, location=location)
        header = list(rows[header_at])
        if not header[0]:
            header[0] = feed.mapping.period
        units_row, codes_row, data_from = _unit_and_code_rows(rows, header_at)
        columns = resolve_columns(
            header,
            feed,
            location=location,
            extra=[feed.mapping.period],
            alternates=[codes_row] if codes_row else [],
        )
        units = {
            s.id: unit_text(units_row[int(columns[s.id])]) if units_row else s.unit
            for s in feed.series
        }
        table = _table(rows, data_from, width=len(header))
        result = wide_rows(
            table, feed=feed, location=location, columns=columns, row_label="row", units=units
        )
        return SourceRows(
            location=location,
            frame=result.frame,
            rows_fetched=result.rows_fetched,
            validators=validators,
            rejects=result.rejects,
        )

    def _content(
        self, feed: FeedDefinition, context: ReadContext
    ) -> tuple[bytes | None, Validators | None, str]:
        if feed.location.startswith(("http://", "https://")):
            body = fetch_body(feed, context)
            location = shown_url(body.url)  # how rows, runs and errors name it: no secrets
            return (None if body.unchanged else body.content), body.validators, location
        path = Path(feed.location)
        if not path.is_file():
            raise SourceError(feed.location, "no such file")
        validators = file_validators([path])
        if context.validators == validators:
            return None, validators, feed.location
        return path.read_bytes(), validators, feed.location


def sheet_rows(content: bytes, sheet: str, *, location: str) -> list[list[str]]:
    """All rows of ``sheet`` as text cells (row n of the sheet is ``rows[n - 1]``)."""
    from openpyxl import load_workbook  # imported here: only workbook feeds need it

    try:
        check_unpacked(content, limit=DEFAULT_MAX_UNPACKED)  # a decompression bomb
    except WorkbookError as error:
        raise SourceError(location, error.problem) from None
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken or truncated workbook
        raise SourceError(location, f"not a readable XLSX workbook ({error})") from error
    try:
        if sheet not in workbook.sheetnames:
            names = ", ".join(repr(n) for n in workbook.sheetnames)
            raise SourceError(location, f"no sheet {sheet!r}; the workbook has {names}")
        return [[_cell(v) for v in row] for row in workbook[sheet].iter_rows(values_only=True)]
    finally:
        workbook.close()


def unit_text(cell: str) -> str:
    """The catalog spelling of a Pink Sheet unit: ``($/mt)`` -> ``USD/t``."""
    unit = cell.strip().strip("()").strip()
    unit = unit.replace("$", "USD").replace("/mt", "/t")
    return unit


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() if isinstance(value, str) else str(value)


def _header_row(rows: list[list[str]], feed: FeedDefinition, *, location: str) -> int:
    wanted = {header_key(n) for s in feed.series for n in (s.value, s.code) if n}
    best, best_hits = -1, 0
    for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        hits = len(wanted & {header_key(cell) for cell in row if cell})
        if hits > best_hits:
            best, best_hits = index, hits
    if best < 0:
        raise SourceError(
            location,
            f"no header row naming any of the mapped series in the first {_HEADER_SEARCH_ROWS} "
            "rows (has the layout changed?)",
        )
    return best


def _unit_and_code_rows(
    rows: list[list[str]], header_at: int
) -> tuple[list[str] | None, list[str] | None, int]:
    """The unit row and code row following the header, if any, and where the data start."""
    units: list[str] | None = None
    codes: list[str] | None = None
    at = header_at + 1
    for _ in range(2):
        if at >= len(rows):
            break
        filled = [cell for cell in rows[at][1:] if cell]
        if filled and all(cell.startswith("(") for cell in filled):
            units = rows[at]
        elif filled and all(_CODE.match(cell) for cell in filled) and not rows[at][0]:
            codes = rows[at]
        else:
            break
        at += 1
    return units, codes, at


def _table(rows: list[list[str]], start: int, *, width: int) -> pd.DataFrame:
    body = [(n + 1, row) for n, row in enumerate(rows) if n >= start and any(rows[n])]
    cells = [(row + [""] * width)[:width] for _, row in body]
    table = pd.DataFrame(cells, columns=[str(i) for i in range(width)], dtype=object)
    table["source_line"] = np.asarray([n for n, _ in body], dtype=np.int64)
    table["raw"] = [",".join(c for c in row[:width]).rstrip(",") for _, row in body]
    return table


SOURCE = WorldBankPinkSheet()
