"""The XLSX template of a form, and a filled-in template read back cell by cell.

The template has the form, period and enterprise in ``B1:B3`` and, from row 6, one row per
field: its id, Chinese name, unit and value (``A:D``). Reading it back refuses each bad cell
by its coordinate (a form, period or enterprise other than the one uploading it, a field the
form does not have, a unit it does not know, a value that is no number, a formula); the
caller stores nothing when any cell is refused. An empty value cell is a field not reported.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from typing import Final

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.protection import SheetProtection

from feeds.workbooks import WorkbookError, open_workbook, sheet_rows
from warning.reporting.checks import Entry
from warning.reporting.forms import Form

SHEET: Final = "报表"
FIRST_ROW: Final = 6
MAX_ROWS: Final = 1000
HEADER: Final = ("字段 field", "名称 name", "单位 unit", "数值 value")


@dataclass(frozen=True)
class FilledTemplate:
    """What an uploaded template says: form, period, enterprise, the values by field (each
    with the cell it came from), and the refused cells with why."""

    form: str = ""
    period: str = ""
    enterprise: str = ""
    entries: dict[str, Entry] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)  # field -> its value's cell
    refused: dict[str, str] = field(default_factory=dict)  # cell -> why


def template_xlsx(form: Form, *, period: str, credit_code: str, values: dict[str, float]) -> bytes:
    """The template of ``form`` for ``period`` and the enterprise, with ``values`` filled in."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    for row, (label, value) in enumerate(
        (("表单 form", form.id), ("报告期 period", period), ("企业 enterprise", credit_code)),
        start=1,
    ):
        sheet.cell(row=row, column=1, value=label).font = Font(bold=True)
        sheet.cell(row=row, column=2, value=value)
    sheet.cell(row=1, column=3, value=form.name_zh)
    for column, title in enumerate(HEADER, start=1):
        sheet.cell(row=FIRST_ROW - 1, column=column, value=title).font = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    for row, spec in enumerate(form.fields, start=FIRST_ROW):
        sheet.cell(row=row, column=1, value=spec.id)
        sheet.cell(row=row, column=2, value=spec.label_zh)
        sheet.cell(row=row, column=3, value=spec.unit)
        cell = sheet.cell(row=row, column=4, value=values.get(spec.id))
        cell.fill = fill
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["B"].width = 30
    sheet.column_dimensions["C"].width = 18
    sheet.column_dimensions["D"].width = 16
    sheet.protection = SheetProtection(sheet=False)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_template(data: bytes, *, form: Form, max_unpacked: int) -> FilledTemplate:
    """Read a filled-in template of ``form``; a workbook that cannot be read at all is one
    refusal (cell ``file``)."""
    try:
        book = open_workbook(data, max_unpacked=max_unpacked)
        try:
            sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
            rows = list(sheet_rows(sheet, max_row=FIRST_ROW + MAX_ROWS, max_col=4))
        finally:
            book.close()
    except WorkbookError as error:
        return FilledTemplate(refused={"file": error.problem})
    except Exception as error:  # a broken sheet: say what, never fail with a 500
        return FilledTemplate(refused={"file": f"not a readable template ({error})"})
    refused: dict[str, str] = {}
    head = [_cell(rows, row, 1) for row in range(3)]
    form_id, period, enterprise = (str(v).strip() if v is not None else "" for v in head)
    if form_id != form.id:
        refused["B1"] = f"the template of form {form_id or '(empty)'}, not of {form.id}"
    entries: dict[str, Entry] = {}
    cells: dict[str, str] = {}
    for index, row in enumerate(rows[FIRST_ROW - 1 :], start=FIRST_ROW):
        field_id, unit, value = _at(row, 0), _at(row, 2), _at(row, 3)
        if field_id is None and value is None:
            continue
        spec = form.field(str(field_id).strip()) if field_id is not None else None
        if spec is None:
            refused[f"A{index}"] = f"{field_id!r} is not a field of form {form.id}"
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if spec.id in entries:
            refused[f"A{index}"] = f"{spec.id} is given twice (first in {cells[spec.id]})"
            continue
        number = _number(value)
        if number is None:
            refused[f"D{index}"] = f"{value!r} is not a number"
            continue
        shown_unit = str(unit).strip() if unit is not None else spec.unit
        if spec.factor(shown_unit) is None:
            refused[f"C{index}"] = f"unit {shown_unit!r}: {spec.id} is reported in {spec.unit}"
            continue
        entries[spec.id] = Entry(number, shown_unit)
        cells[spec.id] = f"D{index}"
    return FilledTemplate(form_id, period, enterprise, entries, cells, refused)


def _cell(rows: list[list[object]], row: int, column: int) -> object:
    return _at(rows[row], column) if row < len(rows) else None


def _at(row: list[object], column: int) -> object:
    return row[column] if column < len(row) else None


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, int | float):
            number = float(value)  # an integer beyond a float's range overflows here
        elif isinstance(value, str):
            number = float(value.strip().replace(",", ""))
        else:
            return None
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None
