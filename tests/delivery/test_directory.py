"""Directory files: line-level errors that import nothing, idempotent re-imports, export."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from tests.delivery.conftest import CODES, HEADER, SECRET, MakeContext, write_directory
from warning.directory.credit_code import check_character, credit_code_problem
from warning.directory.models import Contact, ContactEndpoint, Enterprise
from warning.directory.rows import DirectoryFileError
from warning.jobs.directory import export_directory, import_directory
from warning.store import read_only

GOOD = f"Demo Copper,{CODES[0]},false,Zhang,a@copper.example,zh,,,copper,yellow,nonferrous,email"


def counts(context: object) -> tuple[int, int]:
    with read_only(context.factory) as session:  # type: ignore[attr-defined]
        return (
            session.scalar(select(func.count()).select_from(Enterprise)) or 0,
            session.scalar(select(func.count()).select_from(Contact)) or 0,
        )


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("91350100M000100Y43", None),
        ("91440300708461136T", None),
        ("91350100M000100Y44", "check character is '4'"),
        ("91350100M00010OY43", "cannot appear"),
        ("9135010", "expected 18 characters"),
    ],
)
def test_the_credit_code_check(code: str, problem: str | None) -> None:
    found = credit_code_problem(code)
    assert (found is None) if problem is None else (problem in (found or ""))


def test_the_check_character_of_a_published_code() -> None:
    assert check_character("91350100M000100Y4") == "3"  # 91350100M000100Y43


CU = f"Demo Copper,{CODES[0]}"
BAD_ROWS = [
    (f"{CU}1,false,Zhang,c@copper.example,zh,,,copper,yellow,,email", "credit_code"),
    (f"{CU},maybe,Zhang,c@copper.example,zh,,,copper,yellow,,email", "key_contact"),
    (f"{CU},false,,c@copper.example,zh,,,copper,yellow,,email", "contact"),
    (f"{CU},false,Zhang,not-an-email,zh,,,copper,yellow,,email", "email"),
    (f"{CU},false,Zhang,c@copper.example,fr,,,copper,yellow,,email", "language"),
    (f"{CU},false,Zhang,c@copper.example,zh,,,gold,yellow,,email", "materials"),
    (f"{CU},false,Zhang,c@copper.example,zh,,,copper,purple,,email", "min_level"),
    (f"{CU},false,Zhang,c@copper.example,zh,http://10.0.0.5/h,{SECRET},copper,red,,email",
     "webhook_url"),
    (f"{CU},false,Zhang,c@copper.example,zh,http://127.0.0.1/h,nope,copper,red,,email",
     "webhook_secret"),
    (f"{CU},false,=HYPERLINK(1),c@copper.example,zh,,,copper,red,,email", "contact"),
    (f"{CU},false,Zhang,c@copper.example,zh,,,copper,zinc,red,,email", "*"),
]  # fmt: skip


@pytest.mark.parametrize(("row", "column"), BAD_ROWS)
def test_a_bad_row_is_named_and_nothing_is_imported(
    make_context: MakeContext, tmp_path: Path, row: str, column: str
) -> None:
    context = make_context(webhook_allow="127.0.0.0/8")
    path = write_directory(tmp_path / "d.csv", GOOD, row)
    result = import_directory(context, path, actor="test")
    assert result.imported == 0 and counts(context) == (0, 0)
    assert (3, column) in [(r.line, r.column) for r in result.rejects], result.rejects
    assert result.as_json()["rejects"][0]["reason"]  # type: ignore[index]


def test_a_bad_xlsx_row_names_its_sheet_and_line(make_context: MakeContext, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "联系人"
    sheet.append(HEADER.split(","))
    sheet.append(GOOD.split(","))
    sheet.append(f"Y,{CODES[1]},false,Li,b@y.example,xx,,,zinc,blue,,email".split(","))
    path = tmp_path / "d.xlsx"
    book.save(path)
    context = make_context()
    result = import_directory(context, path, actor="test")
    assert [str(r) for r in result.rejects] == [
        "sheet '联系人', line 3, column language: expected zh or en, got 'xx'"
    ]
    assert counts(context) == (0, 0)


def test_a_file_that_is_no_directory(make_context: MakeContext, tmp_path: Path) -> None:
    context = make_context()
    (tmp_path / "x.csv").write_text("name,email\nA,a@x.example\n", encoding="utf-8")
    with pytest.raises(DirectoryFileError, match="missing columns enterprise, credit_code"):
        import_directory(context, tmp_path / "x.csv", actor="test")


def test_reimporting_changes_nothing_and_export_round_trips(
    make_context: MakeContext, tmp_path: Path
) -> None:
    context = make_context()
    path = write_directory(
        tmp_path / "d.csv",
        GOOD,
        f"Demo Zinc,{CODES[1]},true,Li,b@zinc.example,en,http://127.0.0.1:9/h,{SECRET},,,"
        'nonferrous,"email,webhook"',
    )
    first = import_directory(context, path, actor="test")
    assert first.outcome is not None and first.outcome.changed == 2
    again = import_directory(context, path, actor="test")
    assert again.outcome is not None and again.outcome.changed == 0
    with read_only(context.factory) as session:
        key = session.scalars(select(Enterprise).where(Enterprise.key_contact.is_(True))).one()
        subscription = key.contacts[0].subscriptions[0]
        assert (subscription.materials, subscription.min_level) == ("*", "yellow")  # default
        assert session.scalars(select(ContactEndpoint)).one().secret_list == (SECRET,)
    for suffix in (".csv", ".xlsx"):
        out = tmp_path / f"export{suffix}"
        assert export_directory(context, out) == 2
        round_trip = import_directory(context, out, actor="test")
        assert not round_trip.rejects and round_trip.outcome is not None
        assert round_trip.outcome.changed == 0


def test_a_new_secret_keeps_the_old_one_valid(make_context: MakeContext, tmp_path: Path) -> None:
    context = make_context()
    row = f"Demo Zinc,{CODES[1]},false,Li,b@zinc.example,en,http://127.0.0.1:9/h,{{}},zinc,red,,"
    newer = "whsec_" + "bmV3ZXItc2VjcmV0LWtleS1mb3ItdGVzdHM="
    import_directory(context, write_directory(tmp_path / "1.csv", row.format(SECRET)), actor="t")
    import_directory(context, write_directory(tmp_path / "2.csv", row.format(newer)), actor="t")
    with read_only(context.factory) as session:
        assert session.scalars(select(ContactEndpoint)).one().secret_list == (newer, SECRET)
