"""Backup and restore of a SQLite store as the README's "Backup and restore" says: an online
``.backup`` while the service writes, restored by copying the file back with the service
stopped; the restored store is at head, holds what was committed, and nothing half-written."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.support.store import load_catalog_into
from warning.catalog import load_catalog
from warning.feeding.models import FeedRun, FeedRunKind, FeedRunStatus
from warning.store import check_store, make_engine, migrate, session_factory, transaction

AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def _run(feed: str) -> FeedRun:
    return FeedRun(
        feed=feed, kind=FeedRunKind.FEED, source="x", started_at=AT, status=FeedRunStatus.OK
    )


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="the sqlite3 command is not installed")
def test_an_online_backup_restores_what_was_committed(tmp_path: Path) -> None:
    store = tmp_path / "var" / "warning.db"
    url = f"sqlite:///{store}"
    migrate(url)
    engine = make_engine(url)
    factory = session_factory(engine)
    load_catalog_into(factory, load_catalog())
    with transaction(factory) as session:
        session.add_all([_run("cu"), _run("al")])
    backup = tmp_path / "backup" / "warning-2026-12-07.db"
    backup.parent.mkdir()
    # a writer is half-way through a transaction while the backup runs (WAL: it does not block)
    writer = sqlite3.connect(store, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute(
        "INSERT INTO feed_run (feed, kind, source, started_at, status, rows_fetched, accepted, "
        "revised, unchanged, rejected, suspect) "
        "VALUES ('half', 'feed', 'x', '2026-12-07 09:00:00', 'ok', 0, 0, 0, 0, 0, 0)"
    )
    try:
        done = subprocess.run(
            ["sqlite3", str(store), f".backup '{backup}'"],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert done.returncode == 0, done.stderr
    with transaction(factory) as session:
        session.add(_run("after-the-backup"))
    engine.dispose()

    # restore: the service stopped, the file copied back, the old WAL files removed
    for suffix in ("", "-wal", "-shm"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(backup, store)

    restored = make_engine(url)
    try:
        check_store(restored)  # at the newest migration
        with session_factory(restored)() as session:
            feeds = sorted(session.scalars(select(FeedRun.feed)))
            runs = session.scalar(select(func.count()).select_from(FeedRun))
    finally:
        restored.dispose()
    assert feeds == ["al", "cu"]  # neither the half-written row nor what came after
    assert runs == 2
