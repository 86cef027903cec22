"""Two real processes on one SQLite store: a command waits for another's write, or says so.

The other process here holds the write lock (``BEGIN IMMEDIATE``) for longer than Python's
default busy timeout of 5 s, as a long ``ingest-file`` does while ``evaluate`` starts.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.cli import AS_OF, query, row_counts, run, start

DATA = (
    "series_id,material,indicator,frequency,period,value,unit\n"
    "copper_shfe_futures,copper,price,D,2024-01-02,68000,CNY/t\n"
)


@contextmanager
def write_locked(database: Path, release: threading.Event) -> Iterator[None]:
    """Hold the store's write lock from another connection until ``release`` is set."""
    ready = threading.Event()

    def hold() -> None:
        with sqlite3.connect(database, isolation_level=None) as connection:
            connection.execute("BEGIN IMMEDIATE")
            ready.set()
            release.wait(timeout=60)
            connection.execute("ROLLBACK")

    holder = threading.Thread(target=hold)
    holder.start()
    ready.wait(timeout=10)
    try:
        yield
    finally:
        release.set()
        holder.join()


def test_a_command_waits_for_another_process_writing(tmp_path: Path) -> None:
    data = tmp_path / "in.csv"
    data.write_text(DATA, encoding="utf-8")
    assert run(tmp_path, "init").returncode == 0
    release = threading.Event()

    with write_locked(tmp_path / "cli.db", release):
        loading = start(tmp_path, "ingest-file", str(data), **AS_OF)
        time.sleep(9)  # the command started and waited longer than 5 s
        release.set()
        _out, err = loading.communicate(timeout=120)

    assert loading.returncode == 0, err
    assert query(tmp_path, "SELECT value FROM observation WHERE series_id LIKE '%futures'") == [
        (68000.0,)
    ]


def test_a_lock_held_past_the_busy_timeout_is_one_line_and_changes_nothing(
    tmp_path: Path,
) -> None:
    data = tmp_path / "in.csv"
    data.write_text(DATA, encoding="utf-8")
    assert run(tmp_path, "init").returncode == 0
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    before = row_counts(url)

    with write_locked(tmp_path / "cli.db", threading.Event()):
        loading = start(tmp_path, "ingest-file", str(data), WARNING_SQLITE_BUSY_TIMEOUT_S="0.5")
        evaluating = start(tmp_path, "evaluate", WARNING_SQLITE_BUSY_TIMEOUT_S="0.5")
        finished = [process.communicate(timeout=120) for process in (loading, evaluating)]

    for process, (_out, err) in zip((loading, evaluating), finished, strict=True):
        assert process.returncode == 2, err
        (line,) = err.strip().splitlines()
        assert line.startswith("error: the database sqlite:///") and "database is locked" in line
        assert "WARNING_SQLITE_BUSY_TIMEOUT_S" in line
    assert row_counts(url) == before
