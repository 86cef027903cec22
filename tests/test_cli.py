"""The command line, run as a user runs it: a subprocess with settings in the environment."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from tests.support import demo_messages
from tests.support.cli import AS_OF, board_ids, run

COMMANDS = [
    "init",
    "materials",
    "ingest-file",
    "demo",
    "evaluate",
    "backtest",
    "ingest",
    "derive",
    "series",
    "serve",
    "feeds status",
    "feeds rejects",
    "feeds check",
    "review list",
    "review show",
    "review approve",
    "review reject",
    "review adjust",
    "review snooze",
    "users add",
    "users list",
    "users disable",
    "users enable",
    "tokens create",
    "tokens revoke",
]


def runs_of(tmp_path: Path) -> list[tuple[str, str]]:
    """The evaluation runs stored in the CLI test database: (trigger, as_of)."""
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        return connection.execute("SELECT trigger, as_of FROM evaluation_run").fetchall()


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(tmp_path: Path, command: str) -> None:
    result = run(tmp_path, *command.split(), "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout


def test_materials_lists_exactly_the_19_materials(tmp_path: Path) -> None:
    assert run(tmp_path, "init").returncode == 0
    result = run(tmp_path, "materials")
    assert result.returncode == 0, result.stderr
    assert len(board_ids(result.stdout)) == 19
    assert any("铁矿石" in row and "Iron ore" in row for row in result.stdout.splitlines())


def test_ingest_file_json_prints_one_object_with_the_documented_keys(tmp_path: Path) -> None:
    data = tmp_path / "in.csv"
    data.write_text(
        "series_id,material,indicator,frequency,period,value,unit\n"
        "copper_shfe_futures,copper,price,D,2024-01-02,68000,CNY/t\n"
        "copper_shfe_futures,copper,price,D,2024-01-03,oops,CNY/t\n",
        encoding="utf-8",
    )
    assert run(tmp_path, "init").returncode == 0

    first = json.loads(run(tmp_path, "ingest-file", str(data), "--json", **AS_OF).stdout)
    second = json.loads(run(tmp_path, "ingest-file", str(data), "--json", **AS_OF).stdout)

    assert set(first) == {"accepted", "revised", "unchanged", "rejected", "rejects"}
    assert runs_of(tmp_path) == [("ingest-file", "2024-01-03")]  # evaluated after storing
    assert first["accepted"] == 1 and first["rejected"] == 1
    assert first["rejects"] == [{"line": 3, "reason": "bad number 'oops'"}]
    assert (second["accepted"], second["unchanged"]) == (0, 1)


def test_ingest_file_derives_the_weekly_series_before_it_evaluates(tmp_path: Path) -> None:
    data = tmp_path / "in.csv"
    data.write_text(
        "series_id,material,indicator,frequency,period,value,unit\n"
        "copper_shfe_futures,copper,price,D,2024-01-01,68000,CNY/t\n"
        "copper_shfe_futures,copper,price,D,2024-01-02,68300,CNY/t\n"
        "copper_shfe_futures_weekly,copper,price,W,2024-01-01,1,CNY/t\n",
        encoding="utf-8",
    )
    assert run(tmp_path, "init").returncode == 0

    result = run(tmp_path, "ingest-file", str(data), **AS_OF)

    assert result.returncode == 0, result.stderr
    assert "line 4: series copper_shfe_futures_weekly is derived from" in result.stdout
    assert "derived from copper_shfe_futures: 1 new, 0 revised" in result.stdout
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        weekly = connection.execute(
            "SELECT period, value FROM observation WHERE series_id = ?",
            ("copper_shfe_futures_weekly",),
        ).fetchall()
        derived_end, evaluated_start = connection.execute(
            "SELECT (SELECT finished_at FROM feed_run WHERE feed = 'derived'),"
            " (SELECT started_at FROM evaluation_run)"
        ).fetchone()
    assert weekly == [("2024-01-01", 68150.0)]  # the mean so far, not the file's 1
    assert derived_end <= evaluated_start  # evaluation saw the derived values


def test_derive_recomputes_derived_series_from_their_sources_history(tmp_path: Path) -> None:
    data = tmp_path / "in.csv"
    data.write_text(
        "series_id,material,indicator,frequency,period,value,unit\n"
        "copper_shfe_futures,copper,price,D,2024-01-01,68000,CNY/t\n"
        "copper_shfe_futures,copper,price,D,2024-01-02,68300,CNY/t\n",
        encoding="utf-8",
    )
    assert run(tmp_path, "init").returncode == 0
    assert run(tmp_path, "ingest-file", str(data), **AS_OF).returncode == 0
    with sqlite3.connect(tmp_path / "cli.db") as connection:  # as a lost derivation leaves it
        connection.execute(
            "UPDATE observation SET value = 1 WHERE series_id = 'copper_shfe_futures_weekly'"
        )

    everything = run(tmp_path, "derive", **AS_OF)
    again = run(tmp_path, "derive", "--series", "copper_shfe_futures_weekly", **AS_OF)
    not_derived = run(tmp_path, "derive", "--series", "copper_shfe_futures", **AS_OF)

    assert everything.returncode == 0, everything.stderr
    assert "derived from copper_shfe_futures: 0 new, 1 revised, 0 unchanged" in everything.stdout
    assert "derived from copper_shfe_futures: 0 new, 0 revised, 1 unchanged" in again.stdout
    assert not_derived.returncode == 2
    assert "series copper_shfe_futures is not a derived series" in not_derived.stderr
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        weekly = connection.execute(
            "SELECT value FROM observation WHERE series_id = 'copper_shfe_futures_weekly'"
        ).fetchall()
    assert weekly == [(68150.0,)]
    assert runs_of(tmp_path)[-1] == ("derive", "2024-01-03")  # evaluated after the repair


def test_a_bad_setting_stops_start_up_with_one_message(tmp_path: Path) -> None:
    result = run(tmp_path, "materials", WARNING_DATABASE_URL="mysql://nowhere")
    assert result.returncode == 2
    assert "WARNING_DATABASE_URL" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["materials", "feeds status", "evaluate"])
def test_a_store_that_was_never_initialised_says_to_run_init(tmp_path: Path, command: str) -> None:
    result = run(tmp_path, *command.split())
    assert result.returncode == 2
    assert "is at migration none" in result.stderr and "run `warning init`" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_rule_set_stops_ingest_file_before_anything_is_stored(tmp_path: Path) -> None:
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text("version: [not, a, version\n", encoding="utf-8")
    data = tmp_path / "in.csv"
    data.write_text(
        "series_id,material,indicator,frequency,period,value,unit\n"
        "copper_shfe_futures,copper,price,D,2024-01-02,68000,CNY/t\n",
        encoding="utf-8",
    )
    assert run(tmp_path, "init").returncode == 0

    result = run(tmp_path, "ingest-file", str(data), WARNING_RULES_PATH=str(rules_file))

    assert result.returncode == 2 and "rules.yaml" in result.stderr
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        assert connection.execute("SELECT count(*) FROM observation").fetchone() == (0,)


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    assert run(tmp_path, "init").returncode == 0
    result = run(tmp_path, "ingest-file", str(tmp_path / "nope.csv"))
    assert result.returncode == 2
    assert "nope.csv: cannot read the file" in result.stderr


def test_demo_loads_the_sample_and_shows_the_board_with_stale_series(tmp_path: Path) -> None:
    result = run(tmp_path, "demo", "--no-serve")
    assert result.returncode == 0, result.stderr
    assert "Board as of" in result.stdout
    ids = board_ids(result.stdout)
    assert len(ids) == 19 and ids[0] == "iron_ore"
    assert re.search(r"│ (red|yellow|blue|normal|no_data)", result.stdout)
    assert "Stale series on" in result.stdout
    assert " 0 rejected" in result.stdout
    # the weekly series are derived from the sample's daily values and keep up with them
    assert re.search(r"derived \d\d series from their sources: \d+ new", result.stdout)
    assert "behind its source" not in result.stdout
    # every material at yellow or red waits in the review queue; the demo operator exists
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        warned = set(
            connection.execute(
                "SELECT a.material_id FROM assessment a JOIN evaluation_run r "
                "ON r.id = a.evaluation_run_id WHERE r.trigger = 'demo' "
                "AND a.level IN ('yellow', 'red')"
            ).fetchall()
        )
        pending = set(
            connection.execute(
                "SELECT material_id FROM review_item WHERE state = 'pending'"
            ).fetchall()
        )
        operator = connection.execute("SELECT role FROM app_user WHERE name = 'demo'").fetchone()
    assert warned and warned == pending
    assert operator == ("operator",)
    assert "Review queue:" in result.stdout and "Demo operator: demo / " in result.stdout
    # what reached the demo's sinks reads right: the staged history was recorded, not sent
    report = demo_messages.check(tmp_path / "var")
    assert report.messages > 0
    assert report.contradictory == [] and report.empty_basis == []
    assert report.new_and_ended == []
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        skipped, sent = connection.execute(
            "SELECT sum(status = 'skipped'), sum(status = 'sent') FROM delivery"
        ).fetchone()
    assert skipped > 0 and sent == report.messages


def test_a_file_refused_whole_is_listed_by_feeds_rejects(tmp_path: Path) -> None:
    data = tmp_path / "twice.csv"
    data.write_text(
        "series_id,material,indicator,frequency,period,value,unit,value\n", encoding="utf-8"
    )
    assert run(tmp_path, "init").returncode == 0

    refused = run(tmp_path, "ingest-file", str(data))
    listed = run(tmp_path, "feeds", "rejects", "--json")

    assert refused.returncode == 2
    assert listed.returncode == 0, listed.stderr
    (row,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert row["reason"].startswith("whole file refused: line 1: column value appears 2 times")
    assert row["source"].endswith("twice.csv")


def test_ingest_file_reads_a_gb18030_file_when_told(tmp_path: Path) -> None:
    data = tmp_path / "gbk.csv"
    data.write_bytes(
        "series_id,material,indicator,frequency,period,value,unit\n"
        "copper_x,copper,price,D,2024-01-02,68000,元/吨\n".encode("gb18030")
    )
    assert run(tmp_path, "init").returncode == 0

    result = run(tmp_path, "ingest-file", str(data), "--encoding", "gb18030", **AS_OF)

    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        assert connection.execute("SELECT unit FROM series WHERE id = 'copper_x'").fetchone() == (
            "元/吨",
        )
