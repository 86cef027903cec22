"""``file``: a local CSV or XLSX file, or a glob of them, in the long format or mapped.

The location is a path or a glob (``data/*.csv``); matching files are read in name order.
``mapping.format: long`` reads ``warning ingest-file`` files through :mod:`feeds.longformat`;
``wide`` maps a period column and one column per series (:mod:`feeds.mapping`). An XLSX file
is read from its one sheet with data (a workbook with more is refused); a file larger than
the feed's ``http.max_bytes`` is refused. The validators are the files' sizes and
modification times, so an unchanged file gives ``unchanged`` without being parsed again.
"""

from __future__ import annotations

import glob
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pandas as pd

from feeds.definitions import FeedDefinition
from feeds.longformat import FileFormatError, file_records, read_long_file
from feeds.mapping import long_rows, resolve_columns, table_from_records, wide_rows
from feeds.result import Validators
from feeds.sources.base import ReadContext, SourceError, SourceRows, unchanged_rows

# Keys of rows from the n-th file of a glob start at n * _FILE_STRIDE so they stay unique.
_FILE_STRIDE = 10**10


class FileSource:
    kind = "file"
    locations = frozenset({"path"})

    def read(self, feed: FeedDefinition, context: ReadContext) -> SourceRows:
        paths = _paths(feed.location)
        validators = file_validators(paths)
        if context.validators is not None and context.validators == validators:
            return unchanged_rows(feed.location, validators)
        parts = [read_path(path, feed, max_bytes=context.policy.max_bytes) for path in paths]
        frames = []
        for index, part in enumerate(parts):
            frame = part.frame.copy()
            if not frame.empty:
                frame["line"] = frame["line"] + index * _FILE_STRIDE
            frames.append(frame)
        frame = pd.concat(frames, ignore_index=True)
        frame.attrs = dict(parts[0].frame.attrs)
        return SourceRows(
            location=feed.location,
            frame=frame,
            rows_fetched=sum(p.rows_fetched for p in parts),
            validators=validators,
            rejects=pd.concat([p.rejects for p in parts], ignore_index=True),
        )


def read_path(path: Path, feed: FeedDefinition, *, max_bytes: int | None = None) -> SourceRows:
    """Read one file as the feed maps it; a file larger than ``max_bytes`` is refused."""
    try:
        if feed.mapping.format == "long":
            return long_rows(read_long_file(path, max_bytes=max_bytes), location=str(path))
        records = file_records(path, max_bytes=max_bytes)
    except FileFormatError as error:
        raise SourceError(str(path), error.problem) from error
    header, table = table_from_records(records, location=str(path))
    extra = [feed.mapping.period]
    if feed.mapping.unit_field:
        extra.append(feed.mapping.unit_field)
    columns = resolve_columns(header, feed, location=str(path), extra=extra)
    return wide_rows(table, feed=feed, location=str(path), columns=columns)


def _paths(location: str) -> list[Path]:
    if glob.has_magic(location):
        paths = [Path(p) for p in sorted(glob.glob(location))]
        if not paths:
            raise SourceError(location, "no file matches this pattern")
        return paths
    path = Path(location)
    if not path.is_file():
        raise SourceError(location, "no such file")
    return [path]


def file_validators(paths: list[Path]) -> Validators:
    """Validators for local files: sizes and modification times stand in for an ETag."""
    stats = [path.stat() for path in paths]
    tag = ";".join(
        f"{p.name}:{s.st_size}:{s.st_mtime_ns}" for p, s in zip(paths, stats, strict=True)
    )
    newest = datetime.fromtimestamp(max(s.st_mtime for s in stats), tz=UTC)
    return Validators(etag=f'W/"{tag}"', last_modified=format_datetime(newest, usegmt=True))


SOURCE = FileSource()
