"""Importing and exporting the directory as files (CSV or XLSX)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from alerts import RefusedUrl, UnresolvedHost, UrlPolicy, check_url
from warning import clock
from warning.context import ServiceContext
from warning.directory.rows import (
    COLUMNS,
    RawRow,
    RowError,
    UrlCheck,
    parse_rows,
    read_rows,
    validate_rows,
)
from warning.directory.service import ImportOutcome, export_rows, import_rows
from warning.store import read_only, transaction


@dataclass(frozen=True)
class ImportResult:
    """What an import did (nothing, when any row was refused) and every refused cell."""

    outcome: ImportOutcome | None
    rejects: tuple[RowError, ...]

    @property
    def imported(self) -> int:
        return self.outcome.rows if self.outcome and not self.rejects else 0

    def as_json(self) -> dict[str, object]:
        return {
            "imported": self.imported,
            "changed": self.outcome.changed if self.outcome else 0,
            "rejects": [reject.as_json() for reject in self.rejects],
        }


def url_checker(context: ServiceContext) -> UrlCheck:
    """The SSRF guard as import runs it: why a URL is refused, or None."""
    policy = UrlPolicy.from_text(context.settings.webhook_allow)

    def check(url: str) -> str | None:
        try:
            check_url(url, policy)
        except RefusedUrl as refused:
            return refused.reason
        except UnresolvedHost as unresolved:
            return f"cannot resolve the host: {unresolved}"
        return None

    return check


def import_directory(
    context: ServiceContext, path: Path, *, actor: str, url_check: UrlCheck | None = None
) -> ImportResult:
    """Read and check every row of ``path`` with no transaction open (the checks look up
    every URL's host), then import them all in one transaction, or none."""
    settings = context.settings
    raw = read_rows(
        path, max_bytes=settings.max_file_bytes, max_unpacked=settings.max_unpacked_bytes
    )
    return _import(context, raw, source=path.name, actor=actor, url_check=url_check)


def import_upload(context: ServiceContext, data: bytes, *, name: str, actor: str) -> ImportResult:
    """:func:`import_directory` of an uploaded file's bytes (``name``: the file's own name)."""
    raw = parse_rows(data, name=name, max_unpacked=context.settings.max_unpacked_bytes)
    return _import(context, raw, source=name, actor=actor, url_check=None)


def _import(
    context: ServiceContext,
    raw: list[RawRow],
    *,
    source: str,
    actor: str,
    url_check: UrlCheck | None,
) -> ImportResult:
    sectors = frozenset(material.sector for material in context.catalog.materials)
    rows, rejects = validate_rows(
        raw,
        materials=context.catalog.material_ids,
        sectors=sectors,
        url_check=url_check or url_checker(context),
    )
    if rejects:
        return ImportResult(None, tuple(rejects))
    with transaction(context.factory) as session:
        outcome = import_rows(session, rows=rows, actor=actor, source=source, now=clock.now())
    return ImportResult(outcome, ())


def export_directory(context: ServiceContext, path: Path) -> int:
    """Write the directory to ``path`` (XLSX by its suffix, else CSV); how many rows."""
    data, rows = directory_file(context, xlsx=path.suffix.lower() == ".xlsx")
    path.write_bytes(data)
    return rows


def directory_file(context: ServiceContext, *, xlsx: bool) -> tuple[bytes, int]:
    """The directory as an import file (XLSX or UTF-8 CSV) and how many contact rows."""
    with read_only(context.factory) as session:
        rows = export_rows(session)
    if xlsx:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "contacts"
        sheet.append(list(COLUMNS))
        for row in rows:
            sheet.append([row[column] for column in COLUMNS])
        output = io.BytesIO()
        book.save(output)
        return output.getvalue(), len(rows)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8"), len(rows)
