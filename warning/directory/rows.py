"""Directory files (CSV or XLSX): one row per contact, read and validated into plain rows.

Columns, at least: ``enterprise,credit_code,key_contact,contact,email,language,webhook_url,
webhook_secret,materials,min_level``; optionally ``region, sector, whitelist, phone, channels,
directions, sectors, robot_kind, robot_url, robot_secret``. Every refused cell is a
:class:`RowError` naming sheet (XLSX), line, column and reason; the caller imports nothing
when there is one. A cell holding a control character (a NUL, a line break such as CR, LF,
U+2028 or U+0085) is refused: a name goes into email headers and digests.

A file refused as a whole is a :class:`DirectoryFileError`: what is not a regular file (a
FIFO), a file larger than the cap, a header of more than :data:`MAX_COLUMNS` columns, an XLSX
workbook unpacking to more than its cap or holding a formula cell (:mod:`feeds.workbooks`).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from alerts import EndpointKind
from feeds.localfiles import NotRegularFileError, read_regular_file
from feeds.workbooks import DEFAULT_MAX_UNPACKED, WorkbookError, open_workbook, sheet_rows
from vocabulary import WARNING_LEVELS, Direction, Level
from vocabulary.text import control_character
from warning.directory.credit_code import credit_code_problem
from warning.errors import Invalid

REQUIRED: Final = (
    "enterprise",
    "credit_code",
    "key_contact",
    "contact",
    "email",
    "language",
    "webhook_url",
    "webhook_secret",
    "materials",
    "min_level",
)
OPTIONAL: Final = (
    "region",
    "sector",
    "whitelist",
    "phone",
    "channels",
    "directions",
    "sectors",
    "robot_kind",
    "robot_url",
    "robot_secret",
)
COLUMNS: Final = (*REQUIRED, *OPTIONAL)
TRUE: Final = {"true", "yes", "1", "y", "是", "t"}
FALSE: Final = {"false", "no", "0", "n", "否", "f", ""}
EMAIL: Final = re.compile(r"^[^@\s,;<>]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
WEBHOOK_SECRET: Final = re.compile(r"^whsec_[A-Za-z0-9+/=]{16,}$")
ROBOTS: Final = (EndpointKind.DINGTALK, EndpointKind.WECOM, EndpointKind.FEISHU)
FORMULA: Final = ("=", "+", "@", "-")
MAX_ROWS: Final = 20_000
MAX_COLUMNS: Final = 64  # columns a header may have; the format has 20

UrlCheck = Callable[[str], str | None]  # URL -> why refused, or None


class DirectoryFileError(Invalid):
    """A file that cannot be read as a directory at all (format, header)."""


@dataclass(frozen=True)
class RowError:
    """A refused cell: where, and why."""

    sheet: str | None
    line: int
    column: str
    reason: str

    def as_json(self) -> dict[str, object]:
        return {
            "sheet": self.sheet,
            "line": self.line,
            "column": self.column,
            "reason": self.reason,
        }

    def __str__(self) -> str:
        where = f"sheet {self.sheet!r}, " if self.sheet else ""
        return f"{where}line {self.line}, column {self.column}: {self.reason}"


@dataclass(frozen=True)
class ContactRow:
    """One validated row: an enterprise, a contact, its subscription and endpoints."""

    enterprise: str
    credit_code: str
    key_contact: bool
    region: str
    sector: str
    whitelist: bool
    contact: str
    email: str
    phone: str
    language: str
    channels: tuple[str, ...]
    materials: str  # "*" or comma-separated ids
    sectors: str
    min_level: Level
    directions: str
    webhook_url: str
    webhook_secret: str
    robot_kind: EndpointKind | None
    robot_url: str
    robot_secret: str


@dataclass(frozen=True)
class RawRow:
    sheet: str | None
    line: int
    cells: Mapping[str, str]
    extra_cells: int = 0  # cells past the header's (a comma not quoted?): how many in all


def read_rows(
    path: Path, *, max_bytes: int | None = None, max_unpacked: int = DEFAULT_MAX_UNPACKED
) -> list[RawRow]:
    """Every data row of a CSV (UTF-8) or of each XLSX sheet that has the header; a regular
    file of at most ``max_bytes`` (None: no cap)."""
    try:
        data = read_regular_file(path, max_bytes=max_bytes)
    except NotRegularFileError as error:
        raise DirectoryFileError(f"{path}: {error.problem}") from None
    except OSError as error:
        raise DirectoryFileError(f"{path}: cannot read the file ({error.strerror})") from None
    if max_bytes is not None and len(data) > max_bytes:
        raise DirectoryFileError(
            f"{path}: larger than {max_bytes:,} bytes, the most read from one file"
        )
    return parse_rows(data, name=str(path), max_unpacked=max_unpacked)


def parse_rows(data: bytes, *, name: str, max_unpacked: int = DEFAULT_MAX_UNPACKED) -> list[RawRow]:
    """:func:`read_rows` of a file's bytes (an upload); ``name`` says XLSX by its suffix and
    is how errors name the file; an XLSX workbook unpacks to at most ``max_unpacked`` bytes."""
    if name.lower().endswith(".xlsx"):
        try:
            return list(_xlsx_rows(name, data, max_unpacked=max_unpacked))
        except WorkbookError as error:
            raise DirectoryFileError(f"{name}: {error.problem}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DirectoryFileError(
            f"{name}: not UTF-8 (byte {error.start}); save it as UTF-8 CSV or as XLSX"
        ) from None
    return list(_table_rows(None, list(csv.reader(io.StringIO(text))), name))


def _xlsx_rows(name: str, data: bytes, *, max_unpacked: int) -> Iterator[RawRow]:
    book = open_workbook(data, max_unpacked=max_unpacked)  # WorkbookError: the caller's
    found = False
    for sheet in book.worksheets:
        # at most one row past the limit and one column past it: a sheet that declares a
        # huge size is not filled in cell by cell before the counts refuse it
        cells = sheet_rows(sheet, max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS + 1)
        table = [_trimmed(["" if cell is None else str(cell) for cell in row]) for row in cells]
        if table and set(REQUIRED) <= {cell.strip() for cell in table[0]}:
            found = True
            yield from _table_rows(sheet.title, table, name)
    if not found:
        raise DirectoryFileError(f"{name}: no sheet has the header {','.join(REQUIRED)}")


def _trimmed(cells: list[str]) -> list[str]:
    """A sheet's row without the empty cells at its end (read-only rows are padded)."""
    while cells and cells[-1] == "":
        cells.pop()
    return cells


def _table_rows(sheet: str | None, table: list[list[str]], name: str) -> Iterator[RawRow]:
    if not table:
        raise DirectoryFileError(f"{name}: the file is empty")
    if len(table[0]) > MAX_COLUMNS:
        raise DirectoryFileError(
            f"{name}: more than {MAX_COLUMNS} columns in the header ({len(table[0]):,}); "
            f"expected {','.join(COLUMNS)}"
        )
    header = [cell.strip() for cell in table[0]]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise DirectoryFileError(f"{name}: missing columns {', '.join(missing)}")
    counts = Counter(header)  # one pass: a header is never counted column by column
    duplicated = sorted(column for column, count in counts.items() if column and count > 1)
    if duplicated:
        raise DirectoryFileError(f"{name}: columns named twice: {', '.join(duplicated)}")
    if len(table) - 1 > MAX_ROWS:
        raise DirectoryFileError(f"{name}: {len(table) - 1} rows; at most {MAX_ROWS}")
    for index, values in enumerate(table[1:], start=2):
        if not any(value.strip() for value in values):
            continue
        cells = {
            name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(header)
        }
        extra = [value for value in values[len(header) :] if value.strip()]
        yield RawRow(sheet, index, cells, extra_cells=len(header) + len(extra) if extra else 0)


def validate_rows(
    raw: list[RawRow], *, materials: frozenset[str], sectors: frozenset[str], url_check: UrlCheck
) -> tuple[list[ContactRow], list[RowError]]:
    """Validate every row; the rows that pass and every refused cell."""
    rows: list[ContactRow] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, str], int] = {}
    names: dict[str, str] = {}
    for row in raw:
        problems = _row_problems(row.cells, materials, sectors, url_check)
        if row.extra_cells:
            problems.append(
                (
                    "*",
                    f"{row.extra_cells} cells but {len(row.cells)} columns: quote a cell "
                    'holding commas, e.g. "copper,zinc"',
                )
            )
        code, email = row.cells.get("credit_code", ""), row.cells.get("email", "").lower()
        if (code, email) in seen:
            problems.append(("email", f"same enterprise and email as line {seen[(code, email)]}"))
        seen.setdefault((code, email), row.line)
        name = row.cells.get("enterprise", "")
        if names.setdefault(code, name) != name:
            problems.append(("enterprise", f"credit code {code} is named {names[code]!r} above"))
        errors += [RowError(row.sheet, row.line, column, reason) for column, reason in problems]
        if not problems:
            rows.append(_contact_row(row.cells))
    return rows, errors


def _row_problems(
    cells: Mapping[str, str],
    materials: frozenset[str],
    sectors: frozenset[str],
    url_check: UrlCheck,
) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for column, value in cells.items():
        if (control := control_character(value)) is not None:
            problems.append((column, f"holds a control character ({control})"))
        elif value.startswith(FORMULA) and column not in ("phone",):
            problems.append((column, f"{value[:20]!r} looks like a spreadsheet formula"))
    for column, limit in (("enterprise", 128), ("contact", 128), ("region", 64), ("sector", 64)):
        if len(cells.get(column, "")) > limit:
            problems.append((column, f"longer than {limit} characters"))
    for column in ("enterprise", "contact"):
        if not cells.get(column):
            problems.append((column, "empty"))
    code_problem = credit_code_problem(cells.get("credit_code", ""))
    if code_problem:
        problems.append(("credit_code", code_problem))
    for column in ("key_contact", "whitelist"):
        value = cells.get(column, "").lower()
        if value not in TRUE | FALSE:
            problems.append((column, f"expected true or false, got {value!r}"))
    if not EMAIL.match(cells.get("email", "")):
        problems.append(("email", f"not an email address: {cells.get('email', '')!r}"))
    if cells.get("language", "") not in ("zh", "en"):
        problems.append(("language", f"expected zh or en, got {cells.get('language', '')!r}"))
    problems += _subscription_problems(cells, materials, sectors)
    problems += _endpoint_problems(cells, url_check)
    return problems


def _subscription_problems(
    cells: Mapping[str, str], materials: frozenset[str], sectors: frozenset[str]
) -> list[tuple[str, str]]:
    problems = []
    key = cells.get("key_contact", "").lower() in TRUE
    wanted = cells.get("materials", "")
    if wanted and wanted != "*":
        unknown = [m for m in _split(wanted) if m not in materials]
        if unknown:
            problems.append(("materials", f"unknown materials: {', '.join(unknown)}"))
    elif not wanted and not key and not cells.get("sectors"):
        problems.append(("materials", "empty: give material ids, * for all, or sectors"))
    unknown_sectors = [s for s in _split(cells.get("sectors", "")) if s not in sectors]
    if unknown_sectors:
        problems.append(("sectors", f"unknown sectors: {', '.join(unknown_sectors)}"))
    level = cells.get("min_level", "")
    if level not in {lv.value for lv in WARNING_LEVELS} and not (key and not level):
        problems.append(("min_level", f"expected blue, yellow or red, got {level!r}"))
    directions = _split(cells.get("directions", "")) or ["up", "down"]
    if not set(directions) <= {Direction.UP.value, Direction.DOWN.value}:
        problems.append(("directions", f"expected up and/or down, got {cells['directions']!r}"))
    channels = _split(cells.get("channels", ""))
    known = {kind.value for kind in EndpointKind}
    if not set(channels) <= known:
        problems.append(("channels", f"expected some of {', '.join(sorted(known))}"))
    return problems


def _endpoint_problems(cells: Mapping[str, str], url_check: UrlCheck) -> list[tuple[str, str]]:
    problems = []
    url, secret = cells.get("webhook_url", ""), cells.get("webhook_secret", "")
    if url:
        refused = url_check(url)
        if refused:
            problems.append(("webhook_url", refused))
        if not WEBHOOK_SECRET.match(secret):
            problems.append(("webhook_secret", "expected whsec_ followed by a base64 key"))
    elif secret:
        problems.append(("webhook_secret", "a secret without a webhook_url"))
    kind, robot_url = cells.get("robot_kind", ""), cells.get("robot_url", "")
    if kind or robot_url:
        if kind not in {robot.value for robot in ROBOTS}:
            problems.append(("robot_kind", "expected dingtalk, wecom or feishu"))
        if not robot_url:
            problems.append(("robot_url", "a robot needs its webhook URL"))
        elif refused := url_check(robot_url):
            problems.append(("robot_url", refused))
    return problems


def _contact_row(cells: Mapping[str, str]) -> ContactRow:
    key = cells["key_contact"].lower() in TRUE
    webhook, robot = cells.get("webhook_url", ""), cells.get("robot_kind", "")
    channels = _split(cells.get("channels", "")) or [
        EndpointKind.EMAIL.value,
        *([EndpointKind.WEBHOOK.value] if webhook else []),
        *([robot] if robot else []),
    ]
    return ContactRow(
        enterprise=cells["enterprise"],
        credit_code=cells["credit_code"],
        key_contact=key,
        region=cells.get("region", ""),
        sector=cells.get("sector", ""),
        whitelist=cells.get("whitelist", "true").lower() not in FALSE - {""},
        contact=cells["contact"],
        email=cells["email"].lower(),
        phone=cells.get("phone", ""),
        language=cells["language"],
        channels=tuple(channels),
        materials=",".join(sorted(_split(cells["materials"]))) or ("*" if key else ""),
        sectors=",".join(sorted(_split(cells.get("sectors", "")))),
        min_level=Level(cells["min_level"] or Level.YELLOW),
        directions=",".join(sorted(_split(cells.get("directions", "")) or ["down", "up"])),
        webhook_url=webhook,
        webhook_secret=cells.get("webhook_secret", ""),
        robot_kind=EndpointKind(robot) if robot else None,
        robot_url=cells.get("robot_url", ""),
        robot_secret=cells.get("robot_secret", ""),
    )


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;，；\s]+", text) if part.strip()]
