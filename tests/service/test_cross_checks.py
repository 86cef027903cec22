"""The daily cross-check of stored series against a second source (issue 21)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from feed_helpers import price_feed, write_prices
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from feeds.definitions import CrossCheck, FeedDefinitions, parse_definitions
from warning.catalog.models import Observation
from warning.cli.feeds import feeds_app
from warning.cli.output import report_failures
from warning.jobs.cross_checks import (
    CrossCheckStatus,
    cross_check,
    load_report,
    save_report,
)
from warning.jobs.feeds import run_feed
from warning.settings import Settings, get_settings

TODAY = date(2026, 3, 10)  # a Tuesday; the 7 days before it are 2026-03-03 to 03-09
STORED = [
    ("2026-02-20", 69000),  # before the window: never compared
    ("2026-03-02", 70000),  # the day the window starts after: not compared
    ("2026-03-03", 70000),
    ("2026-03-04", 70000),
    ("2026-03-05", 70000),
    ("2026-03-06", 70000),  # made suspect below
    ("2026-03-09", 70000),
]
SECOND = [
    ("2026-02-20", 1),
    ("2026-03-02", 1),
    ("2026-03-03", 71400),  # +2 %: exactly the tolerance, not flagged
    ("2026-03-04", 71500),  # +2.14 %: flagged
    ("2026-03-05", 63000),  # -10 %: flagged, the largest
    ("2026-03-06", 1),  # the stored value is suspect: left out
    ("2026-03-10", 70000),  # today: not yet compared (it may not be published)
]


def definitions(tmp_path: Path, second: Path, *, tolerance: float = 0.02) -> FeedDefinitions:
    stored = tmp_path / "cu.csv"
    check: dict[str, Any] = {
        "id": "cu_second_source",
        "tolerance": tolerance,
        "days": 7,
        "feed": {k: v for k, v in price_feed("x", str(second)).items() if k != "id"},
    }
    return parse_definitions(
        {"version": 1, "feeds": [price_feed("cu", str(stored))], "cross_checks": [check]},
        source="test feeds.yaml",
    )


@pytest.fixture
def stored(factory: sessionmaker[Session], tmp_path: Path) -> sessionmaker[Session]:
    write_prices(tmp_path / "cu.csv", STORED)
    feeds = definitions(tmp_path, tmp_path / "second.csv")
    assert run_feed(factory, definition=feeds.feeds[0], today=TODAY).accepted == len(STORED)
    with factory.begin() as session:
        session.execute(
            update(Observation).where(Observation.period == date(2026, 3, 6)).values(suspect=True)
        )
    return factory


def only(checks: FeedDefinitions) -> CrossCheck:
    (check,) = checks.cross_checks
    return check


def test_differences_beyond_the_tolerance_are_flagged_the_largest_named(
    stored: sessionmaker[Session], tmp_path: Path
) -> None:
    second = write_prices(tmp_path / "second.csv", SECOND)
    report = cross_check(stored, [only(definitions(tmp_path, second))], today=TODAY)
    (line,) = report.lines
    assert (line.check_id, line.series_id) == ("cu_second_source", "copper_shfe_futures")
    assert line.status == CrossCheckStatus.FLAGGED
    assert (line.compared, line.flagged_periods) == (3, 2)  # 03-03, 03-04, 03-05
    assert (line.worst_period, line.ours, line.theirs) == ("2026-03-05", 70000.0, 63000.0)
    assert line.difference == pytest.approx(-0.10)
    assert report.attention == [line]
    assert "2026-03-05" in line.text() and "-10.0%" in line.text()


def test_a_second_source_within_the_tolerance_is_ok(
    stored: sessionmaker[Session], tmp_path: Path
) -> None:
    second = write_prices(tmp_path / "second.csv", SECOND)
    report = cross_check(stored, [only(definitions(tmp_path, second, tolerance=0.1))], today=TODAY)
    (line,) = report.lines
    assert (line.status, line.compared, line.flagged_periods) == (CrossCheckStatus.OK, 3, 0)
    assert report.attention == []


def test_a_failing_second_source_and_one_with_nothing_in_common_are_said(
    stored: sessionmaker[Session], tmp_path: Path
) -> None:
    missing = cross_check(
        stored, [only(definitions(tmp_path, tmp_path / "absent.csv"))], today=TODAY
    )
    (line,) = missing.lines
    assert line.status == CrossCheckStatus.FAILED and "absent.csv" in line.problem
    assert missing.attention == [line]
    late = write_prices(tmp_path / "second.csv", [("2026-03-10", 70000)])
    (nothing,) = cross_check(stored, [only(definitions(tmp_path, late))], today=TODAY).lines
    assert (nothing.status, nothing.compared) == (CrossCheckStatus.NOTHING, 0)
    assert not nothing.needs_attention


def test_the_report_is_kept_and_read_back(stored: sessionmaker[Session], tmp_path: Path) -> None:
    second = write_prices(tmp_path / "second.csv", SECOND)
    report = cross_check(stored, [only(definitions(tmp_path, second))], today=TODAY)
    settings = Settings(var_dir=tmp_path / "var")
    assert load_report(settings) is None
    save_report(settings, report)
    assert load_report(settings) == report


@pytest.fixture
def cli(
    stored: sessionmaker[Session],
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[typer.Typer]:
    check = {
        "id": "cu_second_source",
        "tolerance": 0.02,
        "days": 7,
        "feed": {
            k: v for k, v in price_feed("x", str(tmp_path / "second.csv")).items() if k != "id"
        },
    }
    feeds_yaml = tmp_path / "feeds.yaml"
    feeds_yaml.write_text(
        yaml.safe_dump(
            {
                "version": 1,
                "feeds": [price_feed("cu", str(tmp_path / "cu.csv"))],
                "cross_checks": [check],
            }
        )
    )
    monkeypatch.setenv("WARNING_DATABASE_URL", database_url)
    monkeypatch.setenv("WARNING_FEEDS_PATH", str(feeds_yaml))
    monkeypatch.setenv("WARNING_AS_OF", TODAY.isoformat())
    monkeypatch.setenv("WARNING_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    app = typer.Typer()
    app.add_typer(feeds_app, name="feeds")
    report_failures(app)
    yield app
    get_settings.cache_clear()


def invoke(app: typer.Typer, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_the_command_exits_1_on_a_flag_0_when_agreed_and_2_on_an_unknown_check(
    cli: typer.Typer, tmp_path: Path
) -> None:
    write_prices(tmp_path / "second.csv", SECOND)
    code, output = invoke(cli, "feeds", "cross-check")
    assert code == 1, output
    assert "FLAGGED cu_second_source copper_shfe_futures: 3 periods compared" in output
    code, status = invoke(cli, "feeds", "status")
    assert code == 0 and "Cross-check of" in status and "need a look" in status

    write_prices(tmp_path / "second.csv", STORED)
    code, output = invoke(cli, "feeds", "cross-check", "--check", "cu_second_source")
    assert code == 0, output
    assert "OK      cu_second_source copper_shfe_futures: 4 periods compared" in output
    code, status = invoke(cli, "feeds", "status")
    assert "Cross-check of" not in status

    code, output = invoke(cli, "feeds", "cross-check", "--check", "nope")
    assert code == 2 and "no cross-check 'nope'" in output
