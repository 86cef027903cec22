"""Opening a long file: its bytes under a size cap, its text in an encoding, its workbook.

A file is read up to ``max_bytes`` and no further, so a huge file is refused before it fills
memory (:class:`~feeds.longformat.schema.FileTooLargeError`); what is not a regular file (a FIFO,
``/dev/zero``) is refused before it is read (:mod:`feeds.localfiles`).
Text that is not in the expected encoding is refused, and when it reads as GBK/GB18030 (what
Chinese Excel saves by default) the error says so (:class:`~feeds.longformat.schema.
NotTextError`). An XLSX workbook must hold its rows on one sheet: a second sheet with data would
otherwise be silently ignored; its unpacked size is capped and a formula cell is refused
(:mod:`feeds.workbooks`).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, Final

from feeds.localfiles import NotRegularFileError, read_regular_file
from feeds.longformat.schema import (
    MAX_COLUMNS,
    FileFormatError,
    FileTooLargeError,
    NotTextError,
)
from feeds.workbooks import DEFAULT_MAX_UNPACKED, WorkbookError, open_workbook, sheet_rows

GB18030: Final = "gb18030"
_HAN: Final = re.compile(r"[\u4e00-\u9fff]")


def read_bytes(path: Path, *, max_bytes: int | None) -> bytes:
    """The file's bytes; :class:`FileTooLargeError` past ``max_bytes`` (None: no cap)."""
    try:
        data = read_regular_file(path, max_bytes=max_bytes)
    except NotRegularFileError as error:
        raise FileFormatError(path, error.problem) from None
    except OSError as error:
        raise FileFormatError(path, f"cannot read the file ({error.strerror})") from error
    if max_bytes is not None and len(data) > max_bytes:
        raise FileTooLargeError(path, max_bytes)
    return data


def read_text(path: Path, *, encoding: str = "utf-8", max_bytes: int | None = None) -> str:
    """The file as text in ``encoding`` (a UTF-8 byte-order mark is dropped)."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise FileFormatError(path, f"unknown encoding {encoding!r}") from None
    data = read_bytes(path, max_bytes=max_bytes)
    codec = "utf-8-sig" if name == "utf-8" else encoding
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        shown = "UTF-8" if name == "utf-8" else encoding
        raise NotTextError(
            path, encoding=shown, byte=error.start, looks_like=_looks_like(data, encoding)
        ) from error


def _looks_like(data: bytes, tried: str) -> str | None:
    """GB18030 when the bytes read as such and hold Chinese text (and it was not tried)."""
    if codecs.lookup(tried).name == GB18030:
        return None
    try:
        text = data.decode(GB18030)
    except UnicodeDecodeError:
        return None
    return "GBK/GB18030" if _HAN.search(text) else None


def xlsx_records(
    path: Path, *, max_bytes: int | None = None, max_unpacked: int = DEFAULT_MAX_UNPACKED
) -> Iterator[tuple[int, list[str]]]:
    """The ``(row, cells)`` records of the one sheet holding data, as text; at most one cell
    past :data:`MAX_COLUMNS` a row (the header's width is checked). A workbook unpacking to
    more than ``max_unpacked`` bytes, or with a formula cell, is refused
    (:mod:`feeds.workbooks`)."""
    data = read_bytes(path, max_bytes=max_bytes)
    try:
        workbook = open_workbook(data, max_unpacked=max_unpacked)
    except WorkbookError as error:  # the cause says which (UnpackedTooLargeError: a setting)
        raise FileFormatError(path, error.problem) from error
    try:
        sheet = _data_sheet(path, workbook.worksheets)
        rows = sheet_rows(sheet, max_col=MAX_COLUMNS + 1)
        for index, row in enumerate(rows, start=1):
            cells = [_cell_text(value) for value in row]
            while cells and cells[-1] == "":
                cells.pop()
            yield index, cells
    except WorkbookError as error:
        raise FileFormatError(path, error.problem) from None
    finally:
        workbook.close()


def _data_sheet(path: Path, sheets: list[Any]) -> Any:
    """The only sheet with data (the first when none has any); refuse a workbook with more."""
    filled = [sheet for sheet in sheets if _has_data(sheet)]
    if len(filled) > 1:
        names = ", ".join(repr(sheet.title) for sheet in filled)
        raise FileFormatError(
            path,
            f"{len(filled)} sheets hold data ({names}); a workbook is read from one sheet: "
            "put all rows on one sheet, or save each sheet as a file of its own",
        )
    return filled[0] if filled else sheets[0]


def _has_data(sheet: Any) -> bool:
    return any(
        value not in (None, "")
        for row in sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)
        for value in row
    )


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
