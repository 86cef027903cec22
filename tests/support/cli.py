"""The command line run as a user runs it: a process of its own with settings in the environment
(forked from one that has the imports: :mod:`tests.support.cli_process`)."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, func, inspect, select, table

from tests.support.cli_process import run_cli

AS_OF = {"WARNING_AS_OF": "2024-01-03"}


def environment(tmp_path: Path, **env: str) -> dict[str, str]:
    """The caller's environment without its WARNING_ settings, on the store ``tmp_path/cli.db``
    unless ``env`` names another, plus ``env``."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("WARNING_")},
        "WARNING_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        **env,
    }


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``warning ARGS`` in ``tmp_path`` (settings as :func:`environment`), to its end."""
    return run_cli(args, env=environment(tmp_path, **env), cwd=tmp_path)


def start(tmp_path: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    """``warning ARGS`` started in the background, as :func:`run` runs it."""
    return subprocess.Popen(
        [sys.executable, "-m", "warning.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(tmp_path, **env),
        cwd=tmp_path,
    )


def board_ids(output: str) -> list[str]:
    """The material ids in the first column of a printed board (wrapped lines have none)."""
    return [
        match.group(1)
        for line in output.splitlines()
        if (match := re.match(r"^│ ([a-z_]+) +│", line))
    ]


def query(tmp_path: Path, sql: str, *parameters: object) -> list[tuple[object, ...]]:
    """Rows of ``sql`` in the CLI test store."""
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        return connection.execute(sql, parameters).fetchall()


def row_counts(url: str) -> dict[str, int]:
    """The number of rows in every table of the store at ``url``."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            names = inspect(connection).get_table_names()
            return {
                name: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
                for name in sorted(names)
            }
    finally:
        engine.dispose()
