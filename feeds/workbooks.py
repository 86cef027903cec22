"""Opening XLSX workbooks safely: the unpacked size capped, formula cells refused.

An XLSX file is a zip archive: 4 MB of it can unpack to gigabytes of sheet XML (a
decompression bomb). Every member's unpacked size is declared in the archive's directory and
Python's zip reader never returns more than that, so the declared sizes are checked against a
cap before anything is unpacked (:func:`check_unpacked`).

A cell holding a formula (``<f>HYPERLINK(...)</f>``, ``<f>1+1</f>``) is refused, naming its
sheet and cell: its cached value is what the spreadsheet last computed, not data anyone typed
(:func:`sheet_rows`).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any, Final

DEFAULT_MAX_UNPACKED: Final = 500_000_000  # bytes all members of one workbook may unpack to


class WorkbookError(ValueError):
    """A workbook refused as a whole; ``problem`` says why, without a path."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(problem)


class UnpackedTooLargeError(WorkbookError):
    """A workbook whose members would unpack to more than ``limit`` bytes."""

    def __init__(self, problem: str, *, limit: int) -> None:
        self.limit = limit
        super().__init__(problem)


def check_unpacked(data: bytes, *, limit: int) -> None:
    """Refuse a workbook whose members would unpack to more than ``limit`` bytes in all,
    naming the largest member; nothing is unpacked. A file that is no zip archive passes
    (the workbook reader then says what it is)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    total = sum(member.file_size for member in members)
    if total > limit:
        largest = max(members, key=lambda member: member.file_size)
        raise UnpackedTooLargeError(
            f"the workbook unpacks to {total:,} bytes ({largest.filename} alone to "
            f"{largest.file_size:,}); at most {limit:,} are read",
            limit=limit,
        )


def open_workbook(data: bytes, *, max_unpacked: int) -> Any:
    """A read-only openpyxl workbook of ``data``, its unpacked size checked first; formula
    cells keep their formula (:func:`sheet_rows` refuses them)."""
    from openpyxl import load_workbook  # imported here: only workbooks need it

    check_unpacked(data, limit=max_unpacked)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a broken workbook
        raise WorkbookError(f"not a readable XLSX workbook ({error})") from error


def sheet_rows(
    sheet: Any, *, max_row: int | None = None, max_col: int | None = None
) -> Iterator[list[object]]:
    """The values of each row of ``sheet``; a formula cell raises :class:`WorkbookError`
    naming the sheet and the cell."""
    for row in sheet.iter_rows(max_row=max_row, max_col=max_col):
        values = []
        for cell in row:
            if getattr(cell, "data_type", None) == "f":
                raise WorkbookError(formula_problem(sheet.title, cell.coordinate, cell.value))
            values.append(cell.value)
        yield values


def formula_problem(sheet: str, cell: str, formula: object) -> str:
    """Why a formula cell is refused, naming where it is."""
    shown = str(getattr(formula, "text", formula))
    shown = shown if len(shown) <= 40 else shown[:39] + "…"
    return (
        f"sheet {sheet!r}, cell {cell} holds a formula ({shown}); formulas are not read: "
        "paste the values only (Paste Special > Values) and save again"
    )
