"""Hostile XLSX workbooks made on the spot: formula cells with cached values, and a small
file whose sheet XML unpacks to megabytes (a decompression bomb)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook

SHEET_XML = "xl/worksheets/sheet1.xml"


def workbook_bytes(rows: list[list[object]], *, title: str = "Sheet") -> bytes:
    """An XLSX of one sheet holding ``rows``; a text starting with ``=`` is a formula."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def rewrite_member(data: bytes, name: str, change: object) -> bytes:
    """``data`` (a zip archive) with member ``name`` replaced by ``change(old text)``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == name:
                content = change(content.decode()).encode()  # type: ignore[operator]
            target.writestr(item.filename, content, compress_type=zipfile.ZIP_DEFLATED)
    return output.getvalue()


def with_formulas(rows: list[list[object]], cached: dict[str, str], path: Path) -> Path:
    """Write ``rows`` as an XLSX whose formula cells carry a cached value, as a workbook
    saved by Excel does (``cached``: cell reference to the value Excel last computed)."""

    def cache(xml: str) -> str:
        for ref, value in cached.items():
            xml, found = re.subn(
                rf'(<c r="{ref}"[^>]*>)(<f>.*?</f>)<v\s*/?>(</v>)?', rf"\1\2<v>{value}</v>", xml
            )
            assert found == 1, ref
        return xml

    path.write_bytes(rewrite_member(workbook_bytes(rows), SHEET_XML, cache))
    return path


def bomb(rows: list[list[object]], path: Path, *, padding: int) -> Path:
    """Write ``rows`` as an XLSX whose sheet XML holds ``padding`` more bytes (spaces, which
    deflate packs a thousandfold): a small file that unpacks to megabytes."""

    def pad(xml: str) -> str:
        return xml.replace("<sheetData>", "<sheetData>" + " " * padding, 1)

    path.write_bytes(rewrite_member(workbook_bytes(rows), SHEET_XML, pad))
    return path
