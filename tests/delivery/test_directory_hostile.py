"""Hostile directory files, on SQLite and PostgreSQL: control characters and line breaks in
names and fields, a header of 200,010 columns, an XLSX decompression bomb, formula cells, a
FIFO. Each is refused naming where; nothing is imported.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from tests.delivery.conftest import CODES, HEADER, MakeContext, write_directory
from tests.support.workbooks import bomb, with_formulas
from warning.directory.models import Contact, Enterprise
from warning.directory.rows import DirectoryFileError, parse_rows
from warning.jobs.directory import import_directory, import_upload
from warning.store import read_only

GOOD = f"Demo Copper,{CODES[0]},false,Zhang,a@copper.example,zh,,,copper,yellow,nonferrous,email"
COLUMNS = HEADER.split(",")
ROW: list[object] = [
    "Demo Zinc",
    CODES[1],
    "false",
    "Li",
    "b@zinc.example",
    "en",
    "",
    "",
    "zinc",
    "blue",
    "nonferrous",
    "email",
]


def counts(context: object) -> tuple[int, int]:
    with read_only(context.factory) as session:  # type: ignore[attr-defined]
        return (
            session.scalar(select(func.count()).select_from(Enterprise)) or 0,
            session.scalar(select(func.count()).select_from(Contact)) or 0,
        )


BREAKS = {
    "CR LF": ("\r\n", "U+000D CARRIAGE RETURN"),
    "LF": ("\n", "U+000A LINE FEED"),
    "CR": ("\r", "U+000D CARRIAGE RETURN"),
    "U+2028": ("\u2028", "U+2028 LINE SEPARATOR"),
    "U+2029": ("\u2029", "U+2029 PARAGRAPH SEPARATOR"),
    "U+0085": ("\x85", "U+0085 NEXT LINE"),
    "NUL": ("\x00", "U+0000 NUL"),
    "ESC": ("\x1b", "U+001B ESCAPE"),
    "RLO": ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
}


@pytest.mark.parametrize("column", ["contact", "enterprise", "region", "phone"])
@pytest.mark.parametrize("kind", sorted(BREAKS))
def test_a_control_character_in_a_field_is_refused_and_nothing_imported(
    make_context: MakeContext, tmp_path: Path, kind: str, column: str
) -> None:
    character, named = BREAKS[kind]
    cells = dict(zip(COLUMNS, [str(cell) for cell in ROW], strict=True))
    cells["region"] = cells["phone"] = "x"  # optional columns, given
    cells[column] = f"Evil{character}Bcc: victim@evil.example"
    header = ",".join(cells)
    line = ",".join(f'"{value}"' for value in cells.values())
    path = tmp_path / "d.csv"
    good = GOOD + ",x,x"  # the same two optional columns
    path.write_bytes(f"{header}\n{good}\n{line}\n".encode())
    context = make_context()

    result = import_directory(context, path, actor="test")

    assert [(r.line, r.column, r.reason) for r in result.rejects] == [
        (3, column, f"holds a control character ({named})")
    ]
    assert result.imported == 0 and counts(context) == (0, 0)


def test_the_issue_contact_is_refused_through_an_upload_too(make_context: MakeContext) -> None:
    data = f'{HEADER}\n{GOOD}\nX,{CODES[1]},false,"Evil\r\nBcc: victim@evil.example",b@x.example,'
    data += "en,,,zinc,blue,,email\n"
    context = make_context()

    result = import_upload(context, data.encode(), name="d.csv", actor="test")

    assert [str(reject) for reject in result.rejects] == [
        "line 3, column contact: holds a control character (U+000D CARRIAGE RETURN)"
    ]
    assert counts(context) == (0, 0)


def wide(columns: int) -> bytes:
    extra = [f"x{i}" for i in range(columns - len(COLUMNS))]
    return (",".join([*COLUMNS, *extra]) + "\n" + GOOD + "\n").encode()


@pytest.mark.parametrize("columns", [65, 200_010])
def test_a_header_wider_than_64_columns_is_refused(
    make_context: MakeContext, tmp_path: Path, columns: int
) -> None:
    path = tmp_path / "wide.csv"
    path.write_bytes(wide(columns))
    context = make_context()

    with pytest.raises(
        DirectoryFileError, match=rf"more than 64 columns in the header \({columns:,}\)"
    ):
        import_directory(context, path, actor="test")
    with pytest.raises(DirectoryFileError, match="more than 64 columns"):
        import_upload(context, wide(columns), name="wide.csv", actor="test")
    assert counts(context) == (0, 0)


def test_a_header_of_64_columns_is_read() -> None:
    (row,) = parse_rows(wide(64), name="wide.csv")
    assert row.cells["contact"] == "Zhang"


def test_a_column_named_twice_is_refused() -> None:
    header = ",".join([*COLUMNS, "email", "x", "contact"])
    with pytest.raises(DirectoryFileError, match=r"columns named twice: contact, email$"):
        parse_rows(f"{header}\n{GOOD}\n".encode(), name="d.csv")


def test_an_xlsx_bomb_is_refused_before_it_is_unpacked(
    make_context: MakeContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = bomb([COLUMNS, ROW], tmp_path / "bomb.xlsx", padding=3_000_000)
    assert path.stat().st_size < 20_000
    context = make_context(max_unpacked_bytes=1_000_000)

    def unpacked(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(openpyxl, "load_workbook", unpacked)
    for read in (
        lambda: import_directory(context, path, actor="test"),
        lambda: import_upload(context, path.read_bytes(), name="bomb.xlsx", actor="test"),
    ):
        with pytest.raises(DirectoryFileError) as refused:
            read()
        assert "bomb.xlsx: the workbook unpacks to 3," in str(refused.value)
        assert "(xl/worksheets/sheet1.xml alone to 3,00" in str(refused.value)
        assert "at most 1,000,000 are read" in str(refused.value)
    assert counts(context) == (0, 0)


def test_a_workbook_within_the_cap_is_imported(make_context: MakeContext, tmp_path: Path) -> None:
    path = bomb([COLUMNS, ROW], tmp_path / "padded.xlsx", padding=900_000)
    context = make_context(max_unpacked_bytes=1_000_000)

    result = import_directory(context, path, actor="test")

    assert result.imported == 1 and counts(context) == (1, 1)


@pytest.mark.parametrize(
    ("column", "formula", "cached", "cell"),
    [
        ("contact", '=HYPERLINK("http://evil.example","Li")', "Li", "D2"),
        ("min_level", '=IF(1+1=2,"blue","red")', "blue", "J2"),
    ],
)
def test_a_formula_cell_is_refused_naming_its_sheet_and_cell(
    make_context: MakeContext, tmp_path: Path, column: str, formula: str, cached: str, cell: str
) -> None:
    row = [formula if name == column else value for name, value in zip(COLUMNS, ROW, strict=True)]
    path = with_formulas([COLUMNS, row], {cell: cached}, tmp_path / "d.xlsx")
    context = make_context()

    with pytest.raises(DirectoryFileError) as refused:
        import_directory(context, path, actor="test")

    assert f"d.xlsx: sheet 'Sheet', cell {cell} holds a formula ({formula[:20]}" in str(
        refused.value
    )
    assert counts(context) == (0, 0)


def test_a_fifo_is_refused_without_blocking(make_context: MakeContext, tmp_path: Path) -> None:
    fifo = tmp_path / "directory.csv"
    os.mkfifo(fifo)
    context = make_context()
    outcome: list[BaseException | None] = []

    def read() -> None:
        try:
            import_directory(context, fifo, actor="test")
            outcome.append(None)
        except BaseException as error:  # reported below, in the test's thread
            outcome.append(error)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=20)
    if reader.is_alive():  # blocked opening the FIFO: let it go, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(timeout=20)
        pytest.fail("directory import blocked on a FIFO")
    (error,) = outcome
    assert isinstance(error, DirectoryFileError)
    assert str(error) == f"{fifo}: not a regular file (a FIFO); give a file's path"


def test_a_file_over_the_size_cap_is_refused(make_context: MakeContext, tmp_path: Path) -> None:
    path = write_directory(tmp_path / "d.csv", GOOD)
    size = path.stat().st_size
    context = make_context(max_file_bytes=size - 1)

    with pytest.raises(DirectoryFileError, match=f"larger than {size - 1:,} bytes"):
        import_directory(context, path, actor="test")

    assert import_directory(make_context(max_file_bytes=size), path, actor="t").imported == 1
