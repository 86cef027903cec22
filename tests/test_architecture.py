"""The shape of the code: import contracts, and one clock.

The import-linter contracts in pyproject.toml say that engines never import the service,
each other or its libraries (database, scheduler, settings, command line, web), that the
vocabulary is a leaf, and that the service's layers point one way. The parsing tests say
that no engine reads the wall clock or the environment, and that in the service only
``warning/clock.py`` reads the time.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("warning", "feeds", "rules", "alerts", "vocabulary")
ENGINES = ("feeds", "rules", "alerts", "vocabulary")
# (module, attribute) pairs that read the wall clock or the environment
FORBIDDEN_READS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("os", "environ"),
    ("os", "getenv"),
}


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)


def test_no_import_contract_is_broken() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 broken" in result.stdout and "BROKEN" not in result.stdout


WRONG_WAY = {
    # file written into the copy -> the import line import-linter must name
    "rules/wrong_way.py": ("import warning.store\n", "rules.wrong_way -> warning.store"),
    "alerts/sideways.py": ("import feeds.periods\n", "alerts.sideways -> feeds.periods"),
    "feeds/uses_db.py": ("import sqlalchemy\n", "feeds.uses_db -> sqlalchemy"),
    "rules/schedules.py": ("import apscheduler\n", "rules.schedules -> apscheduler"),
    "vocabulary/upward.py": ("import rules.levels\n", "vocabulary.upward -> rules.levels"),
    "warning/store/upward.py": (
        "import warning.feeding.models\n",
        "warning.store.upward -> warning.feeding.models",
    ),
    "warning/catalog/upward.py": (
        "import warning.jobs.pipeline\n",
        "warning.catalog.upward -> warning.jobs.pipeline",
    ),
    "warning/api/upward.py": (
        "import warning.web.pages\n",
        "warning.api.upward -> warning.web.pages",
    ),
}


def test_a_wrong_way_import_breaks_a_contract(tmp_path: Path) -> None:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for path, (line, _expected) in WRONG_WAY.items():
        (tmp_path / path).write_text(line)

    result = lint_imports(tmp_path)

    assert result.returncode != 0
    for _line, expected in WRONG_WAY.values():
        assert expected in result.stdout, expected


def _python_files(package: str) -> Iterator[Path]:
    yield from sorted((ROOT / package).rglob("*.py"))


def forbidden_reads(source: str) -> list[str]:
    """Each ``module.attribute`` read of the wall clock or the environment in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            owner = _last_name(node.value)
            if (owner, node.attr) in FORBIDDEN_READS:
                found.append(f"line {node.lineno}: {owner}.{node.attr}")
        if isinstance(node, ast.ImportFrom) and node.module in {"os", "time"}:
            for alias in node.names:
                if (node.module, alias.name) in FORBIDDEN_READS:
                    found.append(f"line {node.lineno}: from {node.module} import {alias.name}")
    return found


def _last_name(node: ast.expr) -> str | None:
    """``datetime`` for ``datetime``, ``date`` for ``datetime.date``; None otherwise."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from datetime import datetime\nx = datetime.now()\n", ["line 2: datetime.now"]),
        ("import datetime\nx = datetime.date.today()\n", ["line 2: date.today"]),
        ("import os\nx = os.environ['A']\n", ["line 2: os.environ"]),
        ("from os import environ\n", ["line 1: from os import environ"]),
        ("import time\nx = time.time()\n", ["line 2: time.time"]),
        ("import time\ntime.sleep(1)\nx = time.monotonic()\n", []),
        ("def f(now):\n    return now()\n", []),
    ],
)
def test_the_clock_check_finds_wall_clock_reads(source: str, expected: list[str]) -> None:
    assert forbidden_reads(source) == expected


@pytest.mark.parametrize("package", ENGINES)
def test_engines_never_read_the_wall_clock_or_the_environment(package: str) -> None:
    problems = {
        str(path.relative_to(ROOT)): found
        for path in _python_files(package)
        if (found := forbidden_reads(path.read_text(encoding="utf-8")))
    }
    assert problems == {}, "engines take now, today or a clock function as an argument"


def test_in_the_service_only_the_clock_reads_the_time() -> None:
    allowed = {ROOT / "warning" / "clock.py", ROOT / "warning" / "settings.py"}
    problems = {
        str(path.relative_to(ROOT)): found
        for path in _python_files("warning")
        if path not in allowed and (found := forbidden_reads(path.read_text(encoding="utf-8")))
    }
    assert problems == {}, "read the time through warning.clock (tests can set it)"


def test_the_backtest_command_loads_no_store_and_no_alerts_engine() -> None:
    """``warning backtest`` runs without a database; its start-up counts in
    ``rules_vs_adtk_ratio``, so the store, the migrations, the scheduler and the alerts
    engine (httpx) must not come with it."""
    heavy = ("sqlalchemy", "alembic", "apscheduler", "alerts", "httpx", "fastapi")
    probe = (
        "import sys; import warning.cli.backtest; "
        f"print(','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""
