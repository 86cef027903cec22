"""Hostile files given to ``ingest-file``, on SQLite and PostgreSQL: control characters in
values, a header of 200,010 columns, an XLSX decompression bomb, formula cells, a FIFO.

Each is refused with a reason naming where (file, line and column; sheet and cell), and
nothing of it is stored but the record of the refusal.
"""

from __future__ import annotations

import os
import threading
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from feeds.longformat import LONG_COLUMNS, FileFormatError
from tests.support.workbooks import bomb, with_formulas
from warning.catalog.models import Observation, Series
from warning.feeding.models import FeedRun, RejectedRow
from warning.jobs.ingest import ingest_file

TODAY = date(2026, 3, 31)
CU = "copper_shfe_futures,copper,price,D,2026-03-02"
HEADER = list(LONG_COLUMNS)
ROW: list[object] = ["copper_shfe_futures", "copper", "price", "D", "2026-03-02", 68000, "CNY/t"]


def count(factory: sessionmaker[Session], model: type) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def rejected(factory: sessionmaker[Session]) -> list[tuple[int | None, str, str]]:
    with factory() as session:
        rows = session.execute(
            select(RejectedRow.line, RejectedRow.raw, RejectedRow.reason).order_by(RejectedRow.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (f"{CU},68000,CNY\x00t", "unit holds a control character (U+0000 NUL)"),
        (f"{CU},1\x002,CNY/t", "value holds a control character (U+0000 NUL)"),
        (f"{CU},68000,CNY\x1bt", "unit holds a control character (U+001B ESCAPE)"),
        (f'{CU},68000,"CNY\r\nt"', "unit holds a control character (U+000D CARRIAGE RETURN)"),
        (f"{CU},68000,CNY\u2028t", "unit holds a control character (U+2028 LINE SEPARATOR)"),
        ("copper\x85x,copper,price,D,2026-03-02,1,t", "series_id holds a control character"),
        ("copper_shfe_futures,cop\x00per,price,D,2026-03-02,1,t", "material holds a control"),
    ],
)
def test_a_control_character_refuses_its_row_naming_line_and_column(
    factory: sessionmaker[Session], write_csv, row: str, reason: str
) -> None:
    path = write_csv("ctl.csv", f"{CU.replace('03-02', '03-03')},68100,CNY/t", row)

    report = ingest_file(factory, path, today=TODAY)

    assert (report.accepted, report.rejected) == (1, 1)  # the good row is kept
    assert [(r.line, r.reason.startswith(reason)) for r in report.rejects] == [(3, True)]
    ((line, raw, stored_reason),) = rejected(factory)
    assert line == 3 and stored_reason.startswith(reason)
    assert "\x00" not in raw and ("\\x" in raw or "\\u" in raw)  # kept escaped: one line
    with factory() as session:
        units = session.scalars(select(Series.unit)).all()
        values = session.scalars(select(Observation.value)).all()
    assert values == [68100] and all(unit.isprintable() for unit in units)


def wide_header(columns: int) -> str:
    return ",".join([*HEADER, *(f"x{i}" for i in range(columns - len(HEADER)))])


@pytest.mark.parametrize("columns", [65, 200_010])
def test_a_header_wider_than_64_columns_is_refused(
    factory: sessionmaker[Session], tmp_path: Path, columns: int
) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(wide_header(columns) + "\n" + f"{CU},68000,CNY/t\n", encoding="utf-8")

    with pytest.raises(FileFormatError, match=rf"line 1: more than 64 columns .*\({columns:,}\)"):
        ingest_file(factory, path, today=TODAY)

    assert count(factory, Observation) == 0


def test_a_header_of_64_columns_is_read(factory: sessionmaker[Session], tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(wide_header(64) + "\n" + f"{CU},68000,CNY/t" + ",x" * 57 + "\n")

    report = ingest_file(factory, path, today=TODAY)

    assert (report.accepted, report.rejected) == (1, 0)


def test_an_xlsx_bomb_is_refused_before_it_is_unpacked(
    factory: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = bomb([HEADER, ROW], tmp_path / "bomb.xlsx", padding=3_000_000)
    assert path.stat().st_size < 20_000  # 3 MB of sheet XML in a few kilobytes

    def unpacked(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(openpyxl, "load_workbook", unpacked)
    with pytest.raises(FileFormatError) as refused:
        ingest_file(factory, path, today=TODAY, max_unpacked=1_000_000)

    assert "xl/worksheets/sheet1.xml alone to 3,00" in str(refused.value)
    assert "at most 1,000,000 are read" in str(refused.value)
    assert count(factory, Observation) == 0
    assert [run.status for run in _runs(factory)] == ["failed"]


def test_a_workbook_within_the_cap_is_read(factory: sessionmaker[Session], tmp_path: Path) -> None:
    path = bomb([HEADER, ROW], tmp_path / "padded.xlsx", padding=900_000)

    report = ingest_file(factory, path, today=TODAY, max_unpacked=1_000_000)

    assert report.accepted == 1


def _runs(factory: sessionmaker[Session]) -> list[FeedRun]:
    with factory() as session:
        return list(session.scalars(select(FeedRun)))


@pytest.mark.parametrize(
    ("value", "unit", "cell", "shown"),
    [
        ("=1+1", "CNY/t", "F2", "1+1"),
        (68000, '=HYPERLINK("http://evil.example","CNY/t")', "G2", 'HYPERLINK("http://evil'),
    ],
)
def test_a_formula_cell_is_refused_naming_its_sheet_and_cell(
    factory: sessionmaker[Session], tmp_path: Path, value: object, unit: str, cell: str, shown: str
) -> None:
    row = [*ROW[:5], value, unit]
    cached = {cell: "2" if cell == "F2" else "CNY/t"}
    path = with_formulas([HEADER, row], cached, tmp_path / "formula.xlsx")

    with pytest.raises(FileFormatError) as refused:
        ingest_file(factory, path, today=TODAY)

    assert f"sheet 'Sheet', cell {cell} holds a formula (={shown}" in str(refused.value)
    assert count(factory, Observation) == 0


def test_a_fifo_is_refused_without_blocking(factory: sessionmaker[Session], tmp_path: Path) -> None:
    fifo = tmp_path / "prices.csv"
    os.mkfifo(fifo)
    outcome: list[BaseException | None] = []

    def ingest() -> None:
        try:
            ingest_file(factory, fifo, today=TODAY)
            outcome.append(None)
        except BaseException as error:  # reported below, in the test's thread
            outcome.append(error)

    reader = threading.Thread(target=ingest, daemon=True)
    reader.start()
    reader.join(timeout=20)
    if reader.is_alive():  # blocked opening the FIFO: let it go, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(timeout=20)
        pytest.fail("ingest-file blocked on a FIFO")
    (error,) = outcome
    assert isinstance(error, FileFormatError)
    assert str(error) == f"{fifo}: not a regular file (a FIFO); give a file's path"
    assert count(factory, Observation) == 0
