"""Text from data is shown as it is: never read as formatting markup by any command."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support.cli import AS_OF, query, run

HEADER = "series_id,material,indicator,frequency,period,value,unit\n"


def loaded(tmp_path: Path, *rows: str) -> subprocess.CompletedProcess[str]:
    """``warning ingest-file`` of ``rows`` into a new store in ``tmp_path``."""
    data = tmp_path / "in.csv"
    data.write_text(HEADER + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    assert run(tmp_path, "init").returncode == 0
    return run(tmp_path, "ingest-file", str(data), **AS_OF)


def test_a_value_like_markup_is_reported_and_the_ingest_is_followed_up(tmp_path: Path) -> None:
    """The issue's repro: ``[/]`` crashed ingest-file after it committed, skipping derivation,
    and then every ``feeds rejects``."""
    ingest = loaded(
        tmp_path,
        "copper_shfe_futures,copper,price,D,2024-01-01,68000,CNY/t",
        "copper_x,copper,price,D,2024-01-02,[/],CNY/t",
    )
    rejects = run(tmp_path, "feeds", "rejects")

    assert ingest.returncode == 0, ingest.stderr
    assert "line 3: bad number '[/]'" in ingest.stdout
    assert query(tmp_path, "SELECT count(*) FROM observation WHERE series_id LIKE '%weekly'") == [
        (1,)
    ]  # derived after the commit, as for any ingest
    assert rejects.returncode == 0, rejects.stderr
    assert "[/]" in rejects.stdout and "Traceback" not in rejects.stderr


@pytest.fixture(scope="module")
def odd_unit_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding a new series whose unit looks like markup, evaluated once."""
    tmp_path = tmp_path_factory.mktemp("odd_unit")
    ingest = loaded(
        tmp_path,
        "copper_x,copper,price,D,2024-01-02,68000,CNY[/]t",
        "copper_x,copper,price,D,2024-01-03,68100,CNY[/]t",
    )
    assert ingest.returncode == 0, ingest.stderr
    return tmp_path


@pytest.mark.parametrize(
    "command",
    [("materials",), ("evaluate",), ("series", "copper_x"), ("feeds", "status")],
)
def test_a_unit_like_markup_is_shown_as_it_is(odd_unit_store: Path, command: tuple[str]) -> None:
    result = run(odd_unit_store, *command, **AS_OF)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_the_demo_shows_a_sample_unit_like_markup(tmp_path: Path) -> None:
    sample = tmp_path / "sample"
    sample.mkdir()
    (sample / "odd.csv").write_text(
        HEADER + "copper_x,copper,price,D,2024-01-02,68000,CNY[/]t\n", encoding="utf-8"
    )
    result = run(tmp_path, "demo", "--no-serve", WARNING_SAMPLE_DIR=str(sample))
    assert result.returncode == 0, result.stderr
    assert "CNY[/]t" in result.stdout
