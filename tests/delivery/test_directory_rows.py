"""Directory rows cell by cell: what each column refuses and what an accepted row becomes.
Added for the mutants mutmut found surviving in warning/directory/rows.py (docs/testing.md)."""

from __future__ import annotations

import pytest

from alerts import EndpointKind
from tests.delivery.conftest import CODES, SECRET
from vocabulary import Level
from warning.directory.rows import ContactRow, RawRow, RowError, validate_rows

MATERIALS = frozenset({"copper", "zinc"})
SECTORS = frozenset({"nonferrous", "steel"})
ROBOT = "https://oapi.dingtalk.example/robot/send?access_token=abc"


def cells(**overrides: str) -> dict[str, str]:
    """A valid row's cells, changed by ``overrides``."""
    row = {
        "enterprise": "Demo Copper",
        "credit_code": CODES[0],
        "key_contact": "false",
        "contact": "Zhang",
        "email": "a@copper.example",
        "language": "zh",
        "webhook_url": "",
        "webhook_secret": "",
        "materials": "copper",
        "min_level": "yellow",
    }
    row.update(overrides)
    return row


def check(*rows: dict[str, str]) -> tuple[list[ContactRow], list[tuple[int, str, str]]]:
    accepted, errors = validate_rows(
        [RawRow(None, line, row) for line, row in enumerate(rows, start=2)],
        materials=MATERIALS,
        sectors=SECTORS,
        url_check=lambda url: None if url.startswith("https://") else "not https",
    )
    return accepted, [(e.line, e.column, e.reason) for e in errors]


def refusal(**overrides: str) -> list[tuple[str, str]]:
    accepted, errors = check(cells(**overrides))
    assert accepted == []
    return [(column, reason) for _line, column, reason in errors]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"sectors": "nonferrous,textiles"}, [("sectors", "unknown sectors: textiles")]),
        (
            {"channels": "email,fax"},
            [("channels", "expected some of dingtalk, email, feishu, webhook, wecom")],
        ),
        ({"webhook_secret": SECRET}, [("webhook_secret", "a secret without a webhook_url")]),
        (
            {"robot_kind": "slack", "robot_url": ROBOT},
            [("robot_kind", "expected dingtalk, wecom or feishu")],
        ),
        ({"robot_kind": "dingtalk"}, [("robot_url", "a robot needs its webhook URL")]),
        ({"robot_kind": "wecom", "robot_url": "http://x.example/"}, [("robot_url", "not https")]),
        ({"directions": "sideways"}, [("directions", "expected up and/or down, got 'sideways'")]),
        ({"enterprise": "E" * 129}, [("enterprise", "longer than 128 characters")]),
        ({"contact": "C" * 129}, [("contact", "longer than 128 characters")]),
        ({"region": "R" * 65}, [("region", "longer than 64 characters")]),
        ({"sector": "S" * 65}, [("sector", "longer than 64 characters")]),
        ({"email": "not-an-email"}, [("email", "not an email address: 'not-an-email'")]),
        ({"language": ""}, [("language", "expected zh or en, got ''")]),
        ({"materials": ""}, [("materials", "empty: give material ids, * for all, or sectors")]),
        ({"min_level": ""}, [("min_level", "expected blue, yellow or red, got ''")]),
    ],
)
def test_a_bad_cell_is_named_with_its_reason(
    overrides: dict[str, str], expected: list[tuple[str, str]]
) -> None:
    assert refusal(**overrides) == expected


@pytest.mark.parametrize(
    "overrides",
    [
        {"sectors": "nonferrous", "materials": ""},  # sectors alone subscribe
        {"channels": ",".join(kind.value for kind in EndpointKind)},  # every channel
        {"enterprise": "E" * 128, "contact": "C" * 128, "region": "R" * 64, "sector": "S" * 64},
        {"key_contact": "true", "materials": "", "min_level": ""},  # a key contact: everything
        {"directions": "down"},
    ],
)
def test_cells_at_their_limits_are_accepted(overrides: dict[str, str]) -> None:
    accepted, errors = check(cells(**overrides))
    assert errors == [] and len(accepted) == 1


def test_an_accepted_row_keeps_every_optional_cell() -> None:
    (row,), errors = check(
        cells(
            region="Fujian",
            sector="nonferrous",
            whitelist="no",
            phone="+86 591 0000",
            webhook_url="https://hooks.copper.example/in",
            webhook_secret=SECRET,
            robot_kind="feishu",
            robot_url=ROBOT,
            robot_secret="robot-key",
            sectors="steel,nonferrous",
            directions="up",
        )
    )
    assert errors == []
    assert (row.region, row.sector, row.whitelist, row.phone) == (
        "Fujian",
        "nonferrous",
        False,
        "+86 591 0000",
    )
    assert (row.robot_kind, row.robot_url, row.robot_secret) == (
        EndpointKind.FEISHU,
        ROBOT,
        "robot-key",
    )
    assert row.channels == ("email", "webhook", "feishu")  # none named: every endpoint it has
    assert (row.sectors, row.directions, row.min_level) == ("nonferrous,steel", "up", Level.YELLOW)


def test_a_row_without_optional_cells_gets_their_defaults() -> None:
    (row,), errors = check(cells())
    assert errors == []
    assert (row.region, row.sector, row.phone, row.robot_secret) == ("", "", "", "")
    assert row.whitelist is True and row.channels == ("email",)
    assert row.directions == "down,up" and row.robot_kind is None


def test_one_credit_code_with_two_names_is_refused() -> None:
    _accepted, errors = check(cells(), cells(enterprise="Other Name", email="b@copper.example"))
    assert errors == [(3, "enterprise", f"credit code {CODES[0]} is named 'Demo Copper' above")]


def test_a_refused_cell_as_json() -> None:
    error = RowError("联系人", 7, "email", "not an email address: 'x'")
    assert error.as_json() == {
        "sheet": "联系人",
        "line": 7,
        "column": "email",
        "reason": "not an email address: 'x'",
    }
