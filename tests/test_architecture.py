"""The one-way import rule: engines never import the service or each other."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("warning", "feeds", "rules", "alerts")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)


def test_the_import_contracts_hold() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken" in result.stdout


def test_a_wrong_way_import_breaks_the_contract(tmp_path: Path) -> None:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "rules" / "wrong_way.py").write_text("import warning.db\n")
    (tmp_path / "alerts" / "sideways.py").write_text("import feeds.periods\n")

    result = lint_imports(tmp_path)

    assert result.returncode != 0
    assert "rules.wrong_way -> warning.db" in result.stdout
    assert "alerts.sideways -> feeds.periods" in result.stdout
