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
from warning.directory.rows import COLUMNS, RowError, UrlCheck, read_rows, validate_rows
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
    """Validate every row of ``path``; import them all in one transaction, or none."""
    raw = read_rows(path)
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
        outcome = import_rows(session, rows, actor=actor, source=path.name, now=clock.now())
    return ImportResult(outcome, ())


def export_directory(context: ServiceContext, path: Path) -> int:
    """Write the directory to ``path`` (XLSX by its suffix, else CSV); how many rows."""
    with read_only(context.factory) as session:
        rows = export_rows(session)
    if path.suffix.lower() == ".xlsx":
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "contacts"
        sheet.append(list(COLUMNS))
        for row in rows:
            sheet.append([row[column] for column in COLUMNS])
        book.save(path)
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        path.write_text(buffer.getvalue(), encoding="utf-8")
    return len(rows)
