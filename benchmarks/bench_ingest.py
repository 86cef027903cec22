"""Ingest throughput: 1,000,000 observations through `ingest_file` into SQLite and PostgreSQL.

The baseline in the same run is a raw bulk insert of the same rows into the same, freshly
migrated ``observation`` table: ``executemany`` on SQLite, ``COPY`` on PostgreSQL. Figures:
``ingest_<db>_rows_per_s`` and ``ingest_<db>_ratio`` (ingest speed / raw speed; goal >= 0.5).
PostgreSQL runs when ``WARNING_BENCH_DATABASE_URL`` names a scratch database: its public schema
is dropped and recreated.
"""

from __future__ import annotations

import csv
import os
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from warning.catalog import load_catalog
from warning.catalog.sync import sync_catalog
from warning.jobs.ingest import ingest_file
from warning.store import make_engine, migrate, session_factory, transaction

ROWS = int(os.environ.get("BENCH_INGEST_ROWS", "1000000"))
SERIES = 1000


def generate(path: Path, rows: int) -> list[tuple[str, date, float]]:
    """Write ``rows`` long-format rows (SERIES daily series) and return them as tuples."""
    days = rows // SERIES
    start = date(2000, 1, 3)
    data = []
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["series_id", "material", "indicator", "frequency", "period", "value", "unit"]
        )
        for s in range(SERIES):
            series_id = f"bench_{s:04d}"
            value = 1000.0 + s
            for d in range(days):
                period = start + timedelta(days=d)
                value = round(value * (1.0 + ((d * 7919 + s) % 201 - 100) / 10000.0), 2)
                writer.writerow(
                    [series_id, "copper", "price", "D", period.isoformat(), value, "CNY/t"]
                )
                data.append((series_id, period, value))
    return data


def prepared_store(url: str) -> None:
    """A freshly migrated, empty store with the bench series declared."""
    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    migrate(url)
    engine = make_engine(url)
    with transaction(session_factory(engine)) as session:
        sync_catalog(session, catalog=load_catalog(), now=datetime.now(UTC))
    with engine.begin() as connection:
        now = datetime.now(UTC)
        connection.execute(
            text(
                "INSERT INTO series (id, material_id, indicator, frequency, unit, source, "
                "in_catalog, created_at) VALUES (:id, 'copper', 'price', 'D', 'CNY/t', 'bench', "
                ":in_catalog, :now)"
            ),
            [{"id": f"bench_{s:04d}", "in_catalog": False, "now": now} for s in range(SERIES)],
        )
    engine.dispose()


def raw_insert_seconds(url: str, data: list[tuple[str, date, float]]) -> float:
    """Time a raw bulk insert of ``data`` into a fresh observation table."""
    now = datetime.now(UTC)
    engine = make_engine(url)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        started = time.perf_counter()
        if url.startswith("postgresql"):
            columns = (
                "series_id, period, value, first_value, first_seen_at, changed_at, revisions, "
                "suspect"
            )
            with cursor.copy(f"COPY observation ({columns}) FROM STDIN") as copy:
                for series_id, period, value in data:
                    copy.write_row((series_id, period, value, value, now, now, 0, False))
        else:
            # one transaction, as the ingest has: the store's SQLite connections leave beginning
            # to the caller (isolation_level None), so without this every row would commit alone
            cursor.execute("BEGIN")
            cursor.executemany(
                "INSERT INTO observation (series_id, period, value, first_value, first_seen_at, "
                "changed_at, revisions, suspect) VALUES (?, ?, ?, ?, ?, ?, 0, 0)",
                [(s, p.isoformat(), v, v, now.isoformat(), now.isoformat()) for s, p, v in data],
            )
        raw.commit()
        return time.perf_counter() - started
    finally:
        raw.close()
        engine.dispose()


def ingest_seconds(url: str, path: Path) -> float:
    engine = make_engine(url)
    factory = session_factory(engine)
    started = time.perf_counter()
    report = ingest_file(factory, path, feed="bench", today=date.today())
    elapsed = time.perf_counter() - started
    engine.dispose()
    if report.accepted != ROWS:
        raise RuntimeError(f"expected {ROWS} accepted rows, got {report}")
    return elapsed


def measure(
    name: str, url: str, path: Path, data: list[tuple[str, date, float]]
) -> dict[str, float]:
    prepared_store(url)
    raw_seconds = raw_insert_seconds(url, data)
    prepared_store(url)
    seconds = ingest_seconds(url, path)
    print(f"  {name}: ingest {seconds:.2f} s, raw bulk insert {raw_seconds:.2f} s")
    return {
        f"ingest_{name}_rows_per_s": ROWS / seconds,
        f"ingest_{name}_ratio": raw_seconds / seconds,
    }


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "observations.csv"
        data = generate(path, ROWS)
        figures = measure("sqlite", f"sqlite:///{Path(folder) / 'bench.db'}", path, data)
        pg_url = os.environ.get("WARNING_BENCH_DATABASE_URL")  # dropped and recreated: scratch
        if pg_url:
            figures.update(measure("postgres", pg_url, path, data))
        else:
            print("  postgres: skipped (set WARNING_BENCH_DATABASE_URL to a scratch database)")
    return figures


if __name__ == "__main__":
    print(run())
