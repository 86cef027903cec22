"""A directory row with every column: imported, audited, changed one cell at a time, exported
and read back the same. Added for the mutants mutmut found surviving in
warning/directory/service.py (docs/testing.md)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.delivery.conftest import CODES, SECRET, MakeContext
from warning.audit import AuditEntry
from warning.directory.models import Subscription
from warning.directory.rows import COLUMNS
from warning.jobs.directory import export_directory, import_directory
from warning.store import read_only

ROW = {
    "enterprise": "Demo Copper",
    "credit_code": CODES[0],
    "key_contact": "false",
    "contact": "Zhang",
    "email": "a@copper.example",
    "language": "zh",
    "webhook_url": "http://127.0.0.1:9/hook",
    "webhook_secret": SECRET,
    "materials": "copper",
    "min_level": "red",
    "region": "Fujian",
    "sector": "nonferrous",
    "whitelist": "false",
    "phone": "0591 000",
    "channels": "email,webhook,dingtalk",
    "directions": "up",
    "sectors": "",
    "robot_kind": "dingtalk",
    "robot_url": "http://127.0.0.1:9/robot",
    "robot_secret": "robot-key",
}


def write(path: Path, **changes: str) -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
    writer.writeheader()
    writer.writerow({**ROW, **changes})
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def changed(make_context: MakeContext, path: Path) -> int:
    result = import_directory(make_context(), path, actor="ana")
    assert not result.rejects, result.rejects
    assert result.outcome is not None
    return result.outcome.changed


def test_an_import_is_audited_and_subscribes_to_the_digest(
    make_context: MakeContext, tmp_path: Path
) -> None:
    context = make_context()
    assert changed(make_context, write(tmp_path / "d.csv")) == 1
    with read_only(context.factory) as session:
        (entry,) = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "directory_imported")
        )
        (subscription,) = session.scalars(select(Subscription))
    assert (entry.actor, entry.subject) == ("ana", "file:d.csv")
    assert json.loads(entry.after or "{}") == {"rows": 1, "changed": 1}
    assert subscription.digest is True and subscription.directions == "up"


@pytest.mark.parametrize(
    "change",
    [
        {"directions": "down"},  # the subscription only
        {"robot_url": "http://127.0.0.1:9/robot2"},  # the robot endpoint only
        {"webhook_url": "http://127.0.0.1:9/hook2"},  # the webhook endpoint only
        {"phone": "0591 111"},  # the contact only
        {"region": "Xiamen"},  # the enterprise only
    ],
)
def test_a_reimport_changing_one_cell_counts_one_change(
    make_context: MakeContext, tmp_path: Path, change: dict[str, str]
) -> None:
    assert changed(make_context, write(tmp_path / "1.csv")) == 1
    assert changed(make_context, write(tmp_path / "2.csv", **change)) == 1
    assert changed(make_context, write(tmp_path / "3.csv", **change)) == 0  # and only once


def test_the_export_gives_back_every_cell(make_context: MakeContext, tmp_path: Path) -> None:
    context = make_context()
    changed(make_context, write(tmp_path / "d.csv"))
    out = tmp_path / "export.csv"
    assert export_directory(context, out) == 1
    (exported,) = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")))
    expected = {**ROW, "channels": "email,webhook,dingtalk"}
    assert {column: exported[column] for column in COLUMNS} == expected
