"""warning.jobs.kept_reports: a job's last report as a JSON file, never raising."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from warning.jobs import kept_reports


def build(document: dict[str, Any]) -> tuple[str, int]:
    return document["name"], int(document["count"])


def test_a_kept_report_is_read_back_and_a_missing_one_is_none(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "report.json"
    assert kept_reports.read(path, build, what="test report") is None
    kept_reports.keep(path, {"name": "铜", "count": 3}, what="test report")
    assert kept_reports.read(path, build, what="test report") == ("铜", 3)
    assert not path.with_suffix(".tmp").exists()
    assert "铜" in path.read_text(encoding="utf-8")  # written as text, not escaped


@pytest.mark.parametrize("content", ["{not json", '{"name": "x"}', '{"name": "x", "count": "y"}'])
def test_an_unreadable_report_is_none_and_logged(
    tmp_path: Path, content: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "report.json"
    path.write_text(content, encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert kept_reports.read(path, build, what="test report") is None
    assert f"test report at {path} unreadable" in caplog.text


def test_a_report_that_cannot_be_written_is_logged_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with caplog.at_level(logging.WARNING):
        kept_reports.keep(blocker / "report.json", {"name": "x"}, what="test report")
    assert "test report not kept at" in caplog.text
