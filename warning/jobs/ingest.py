"""Storing a batch in a transaction of its own, and loading a long-format file.

A batch commits whole or not at all; when it fails, the failed run is recorded with its
error in a new transaction (the batch's own was rolled back) and the error is raised again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from feeds.longformat import FileFormatError, ParsedBatch, parse_long_file
from feeds.workbooks import DEFAULT_MAX_UNPACKED
from warning import clock
from warning.catalog.observations import known_materials, known_series
from warning.feeding.ingest import (
    IngestReport,
    record_failed_run,
    record_refused_source,
    store_batch,
)
from warning.feeding.models import FeedRunKind
from warning.store import read_only, transaction


def store_or_record_failure(
    factory: sessionmaker[Session],
    *,
    batch: ParsedBatch | Callable[[Session], ParsedBatch],
    feed: str,
    kind: FeedRunKind,
    source: str,
    started: datetime,
) -> IngestReport:
    """Store ``batch`` (or the batch built in the transaction's session) in one transaction.

    On any error the transaction rolls back, a failed run naming ``source`` and the error is
    recorded in a new one, and the error is raised again.
    """
    try:
        with transaction(factory) as session:
            built = batch(session) if callable(batch) else batch
            return store_batch(session, batch=built, feed=feed, kind=kind, started=started)
    except Exception as error:
        with transaction(factory) as session:
            record_failed_run(
                session, feed=feed, kind=kind, source=source, started=started, error=repr(error)
            )
        raise


def ingest_file(
    factory: sessionmaker[Session],
    path: Path,
    *,
    today: date,
    feed: str = "file",
    encoding: str = "utf-8",
    max_bytes: int | None = None,
    max_unpacked: int = DEFAULT_MAX_UNPACKED,
) -> IngestReport:
    """Validate a long-format file and store it as one batch.

    ``today`` is the desk's date (:func:`warning.clock.desk_today`): later periods are refused.
    A CSV file is read as ``encoding``; a file larger than ``max_bytes`` is refused, and an
    XLSX workbook unpacking to more than ``max_unpacked`` bytes. A file
    that cannot be read at all raises :class:`feeds.longformat.FileFormatError` after
    recording the failed run and the refusal (:func:`record_refused_source`); nothing stored
    before is touched.
    """
    started = clock.now()
    with read_only(factory) as session:
        materials, series = known_materials(session), known_series(session)
    try:
        batch = parse_long_file(
            path,
            known_materials=materials,
            known_series=series,
            today=today,
            encoding=encoding,
            max_bytes=max_bytes,
            max_unpacked=max_unpacked,
        )
    except ValueError as error:  # FileFormatError, or a value the reader could not handle
        with transaction(factory) as session:
            _record_unreadable(session, error, feed=feed, source=str(path), started=started)
        raise
    return store_or_record_failure(
        factory, batch=batch, feed=feed, kind=FeedRunKind.FILE, source=batch.source, started=started
    )


def _record_unreadable(
    session: Session, error: ValueError, *, feed: str, source: str, started: datetime
) -> None:
    """A file refused as a whole (in ``warning feeds rejects`` too), or a failed run."""
    kind = FeedRunKind.FILE
    if isinstance(error, FileFormatError):
        record_refused_source(
            session, feed=feed, kind=kind, source=source, started=started, problem=error.problem
        )
    else:
        record_failed_run(
            session, feed=feed, kind=kind, source=source, started=started, error=str(error)
        )
