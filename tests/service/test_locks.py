"""The pipeline lock holds across processes, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from warning.store import make_engine
from warning.store.locks import held, lock_key

HOLDER = """
import sys, time
from pathlib import Path
from warning.store import make_engine
from warning.store.locks import held
url, flag = sys.argv[1], Path(sys.argv[2])
engine = make_engine(url)
with held(engine, "test-lock"):
    flag.write_text("held")
    time.sleep(1.5)
    flag.write_text("released")
"""


def test_a_second_process_waits_for_the_lock(database_url: str, tmp_path: Path) -> None:
    flag = tmp_path / "flag"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, database_url, str(flag)],
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        deadline = time.monotonic() + 30
        while not (flag.exists() and flag.read_text() == "held"):
            assert holder.poll() is None, "the holder process died"
            assert time.monotonic() < deadline, "the holder never took the lock"
            time.sleep(0.05)
        engine = make_engine(database_url)
        with held(engine, "test-lock"):
            seen = flag.read_text()
        engine.dispose()
    finally:
        holder.wait(30)
    assert seen == "released"  # we got the lock only once the other process let it go


def test_another_name_is_another_lock(database_url: str) -> None:
    engine = make_engine(database_url)
    with held(engine, "one"), held(engine, "two"):
        pass
    engine.dispose()
    assert lock_key("one") != lock_key("two")
    assert lock_key("one") == lock_key("one")
