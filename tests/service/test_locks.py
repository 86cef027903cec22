"""The pipeline lock holds across processes, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from warning.accounts import Role, User
from warning.accounts.service import add_user
from warning.store import make_engine
from warning.store.locks import held, hold_until_commit, lock_key
from warning.web.routes.setup import FIRST_ADMIN_LOCK, no_user_yet

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


def test_two_first_admins_at_once_make_one(factory: sessionmaker[Session]) -> None:
    """As ``POST /setup`` does: take the first-admin lock, check that no user exists, add the
    admin. The second of two at once waits (PostgreSQL) or fails to write (SQLite)."""
    now = datetime(2026, 12, 7, tzinfo=UTC)
    outcome: list[str] = []

    def second() -> None:
        with factory() as session:
            try:
                hold_until_commit(session, FIRST_ADMIN_LOCK)
                if not no_user_yet(session):
                    outcome.append("refused: a user exists")
                    return
                add_user(
                    session, name="eve", role=Role.ADMIN, password="p" * 12, actor="setup", now=now
                )
                session.commit()
                outcome.append("made a second admin")
            except OperationalError:
                outcome.append("failed to write")

    with factory() as first:
        hold_until_commit(first, FIRST_ADMIN_LOCK)
        assert no_user_yet(first)
        add_user(first, name="ada", role=Role.ADMIN, password="p" * 12, actor="setup", now=now)
        first.flush()
        thread = threading.Thread(target=second)
        thread.start()
        thread.join(0.5)
        if first.get_bind().dialect.name == "postgresql":
            assert outcome == []  # the second waits while the first has not committed
        else:  # SQLite: a reader cannot become a writer while another writes; it fails at once
            assert outcome == ["failed to write"]
        first.commit()
    thread.join(30)
    assert outcome in (["refused: a user exists"], ["failed to write"])
    with factory() as session:
        assert list(session.scalars(select(User.name))) == ["ada"]
