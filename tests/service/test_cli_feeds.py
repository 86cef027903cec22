"""The feed commands through typer's CliRunner, against a real store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from feed_helpers import price_feed, write_feeds_yaml, write_prices
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from warning.cli.data import ingest, series
from warning.cli.feeds import feeds_app
from warning.cli.output import report_failures
from warning.settings import get_settings

JANUARY = [("2026-01-05", 100), ("2026-01-06", 102), ("2026-01-07", 107)]
FEBRUARY = [("2026-02-02", 110), ("2026-02-03", 114), ("2026-02-04", 1200)]  # last: 10x jump


@pytest.fixture
def cli(
    factory: sessionmaker[Session],
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[typer.Typer]:
    """A typer app with the feed commands, on a store with two file feeds configured."""
    copper = write_prices(tmp_path / "cu.csv", [*JANUARY, *FEBRUARY, ("2026-02-05", -3)])
    zinc = write_prices(tmp_path / "zn.csv", JANUARY)
    feeds_yaml = write_feeds_yaml(
        tmp_path / "feeds.yaml",
        price_feed("cu", str(copper)),
        price_feed("zn", str(zinc), series="zinc_shfe_futures", material="zinc"),
    )
    monkeypatch.setenv("WARNING_DATABASE_URL", database_url)
    monkeypatch.setenv("WARNING_FEEDS_PATH", str(feeds_yaml))
    monkeypatch.setenv("WARNING_AS_OF", "2026-02-06")
    get_settings.cache_clear()
    app = typer.Typer()
    app.command()(ingest)
    app.command()(series)
    app.add_typer(feeds_app, name="feeds")
    report_failures(app)  # as the real command line answers the service's errors
    yield app
    get_settings.cache_clear()


def invoke(app: typer.Typer, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == code, result.output + repr(result.exception)
    return result.output


def rows(output: str) -> list[dict[str, str]]:
    """The rows of the rich table in ``output`` as {header: cell} (single-line cells)."""
    headers: list[str] = []
    found = []
    for line in output.splitlines():
        if line.startswith("┃"):
            headers = [cell.strip() for cell in line.strip("┃").split("┃")]
        elif line.startswith("│") and headers:
            found.append(
                dict(zip(headers, (c.strip() for c in line.strip("│").split("│")), strict=True))
            )
    return found


def row(output: str, column: str, value: str) -> dict[str, str]:
    matches = [r for r in rows(output) if r.get(column) == value]
    assert len(matches) == 1, f"{column}={value!r} not once in:\n{output}"
    return matches[0]


def test_ingest_series_runs_only_its_feed_then_reports_unchanged(cli: typer.Typer) -> None:
    out = invoke(cli, "ingest", "--series", "copper_shfe_futures")
    cu = row(out, "feed", "cu")
    assert (cu["status"], cu["accepted"], cu["rejected"], cu["suspect"]) == ("ok", "6", "1", "1")
    assert [r["feed"] for r in rows(out)] == ["cu"]
    again = invoke(cli, "ingest", "--series", "copper_shfe_futures")
    assert row(again, "feed", "cu")["status"] == "unchanged"
    invoke(cli, "ingest", "--series", "no_such_series", code=2)


def test_feeds_status_shows_last_period_suspect_stale_and_runs(cli: typer.Typer) -> None:
    invoke(cli, "ingest", "--feed", "cu")
    out = invoke(cli, "feeds", "status", "--as-of", "2026-02-06")
    copper = row(out, "series", "copper_shfe_futures")
    assert (copper["last period"], copper["values"], copper["suspect"]) == ("2026-02-04", "6", "1")
    assert (copper["feed"], copper["run status"], copper["stale"]) == ("cu", "ok", "fresh")
    zinc = row(out, "series", "zinc_shfe_futures")
    assert (zinc["last period"], zinc["last run"], zinc["feed"]) == ("no data", "never", "zn")
    assert zinc["stale"].startswith("stale")
    later = invoke(cli, "feeds", "status", "--as-of", "2026-02-12")  # 5 trading days later
    assert row(later, "series", "copper_shfe_futures")["stale"].startswith("stale")


def test_feeds_rejects_lists_line_source_and_reason(cli: typer.Typer, tmp_path: Path) -> None:
    invoke(cli, "ingest")
    out = invoke(cli, "feeds", "rejects", "--feed", "cu")
    assert len(rows(out)) == 1 and "cu.csv" in out
    reject = rows(out)[0]
    assert (reject["feed"], reject["line"]) == ("cu", "8")  # header = line 1, refused = line 8
    assert reject["reason"] and "-3" in reject["raw"]
    assert "zn.csv" not in invoke(cli, "feeds", "rejects", "--feed", "zn")


def test_series_aggregated_to_months_uses_the_mean_without_suspect_values(
    cli: typer.Typer,
) -> None:
    invoke(cli, "ingest")
    out = invoke(cli, "series", "copper_shfe_futures", "--to", "M", "--as-of", "2026-02-28")
    assert "rule: mean" in out and "1 suspect value(s) excluded" in out
    january = sum(v for _, v in JANUARY) / len(JANUARY)
    february = sum(v for _, v in FEBRUARY[:2]) / 2
    jan, feb = row(out, "period", "2026-01-01"), row(out, "period", "2026-02-01")
    assert float(jan["value"].replace(",", "")) == pytest.approx(january, rel=1e-3)
    assert float(feb["value"].replace(",", "")) == pytest.approx(february, rel=1e-3)
    assert (jan["obs"], feb["obs"]) == ("3", "2")
    own = invoke(cli, "series", "copper_shfe_futures", "--as-of", "2026-02-28")
    assert "2026-01-06" in own and "2026-02-04" not in own  # suspect values are left out
    invoke(cli, "series", "copper_wb_monthly", "--to", "W", code=2)


def test_a_daily_run_derives_the_weekly_series_which_status_shows_as_derived_and_fresh(
    cli: typer.Typer,
) -> None:
    out = invoke(cli, "ingest")
    assert "derived from copper_shfe_futures: 2 new, 0 revised" in out
    status = invoke(cli, "feeds", "status", "--as-of", "2026-02-06")
    weekly = row(status, "series", "copper_shfe_futures_weekly")
    assert (weekly["feed"], weekly["run status"], weekly["stale"], weekly["last period"]) == (
        "derived from copper_shfe_futures",
        "ok",
        "fresh",
        "2026-02-02",
    )
    zinc = row(status, "series", "zinc_shfe_futures_weekly")["stale"]
    assert zinc.startswith("stale: its source zinc_shfe_futures")  # the rest wraps
    shown = invoke(cli, "series", "copper_shfe_futures_weekly", "--as-of", "2026-02-06")
    assert row(shown, "period", "2026-02-02")["value"] == "112.00"  # 110, 114; not the suspect
