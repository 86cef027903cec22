"""A directory file naming one contact twice (same credit code and email) is refused, naming
the second line; the same email at another enterprise is not a duplicate. Once a deliberate
small bug let duplicates through."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from tests.delivery.conftest import CODES, MakeContext, write_directory
from warning.directory.models import Contact, Enterprise
from warning.directory.rows import RawRow, validate_rows
from warning.jobs.directory import import_directory
from warning.store import read_only

CU = f"Demo Copper,{CODES[0]},false"
ZN = f"Demo Zinc,{CODES[1]},false"
TAIL = "zh,,,copper,yellow,nonferrous,email"


def raw(line: int, code: str, email: str) -> RawRow:
    cells = {
        "enterprise": {CODES[0]: "Demo Copper", CODES[1]: "Demo Zinc"}[code],
        "credit_code": code,
        "key_contact": "false",
        "contact": "Zhang",
        "email": email,
        "language": "zh",
        "webhook_url": "",
        "webhook_secret": "",
        "materials": "copper",
        "min_level": "yellow",
    }
    return RawRow(None, line, cells)


def test_the_same_contact_twice_is_refused_on_its_second_line() -> None:
    rows, errors = validate_rows(
        [
            raw(2, CODES[0], "a@copper.example"),
            raw(3, CODES[1], "a@copper.example"),  # another enterprise: fine
            raw(4, CODES[0], "A@Copper.Example"),  # the first again, in capitals
        ],
        materials=frozenset({"copper"}),
        sectors=frozenset(),
        url_check=lambda _url: None,
    )
    assert [(e.line, e.column, e.reason) for e in errors] == [
        (4, "email", "same enterprise and email as line 2")
    ]
    assert [(row.credit_code, row.email) for row in rows] == [
        (CODES[0], "a@copper.example"),
        (CODES[1], "a@copper.example"),
    ]


def test_a_file_with_a_duplicate_imports_nothing(make_context: MakeContext, tmp_path: Path) -> None:
    context = make_context()
    path = write_directory(
        tmp_path / "d.csv",
        f"{CU},Zhang,a@copper.example,{TAIL}",
        f"{ZN},Li,b@zinc.example,{TAIL}",
        f"{CU},Wang,a@copper.example,{TAIL}",
    )
    result = import_directory(context, path, actor="test")
    assert result.imported == 0
    assert [(r.line, r.column) for r in result.rejects] == [(4, "email")]
    with read_only(context.factory) as session:
        assert session.scalar(select(func.count()).select_from(Enterprise)) == 0
        assert session.scalar(select(func.count()).select_from(Contact)) == 0
