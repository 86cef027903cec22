"""Reading a local file given by path: only a regular file, and only up to a cap.

A FIFO would block its reader until something writes to it (for ever, from a command line),
and a device such as ``/dev/zero`` never ends: what is not a regular file is refused before a
byte is read, and the check never blocks (the file is opened non-blocking, then examined).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class NotRegularFileError(ValueError):
    """A path that is not a regular file (a FIFO, a device, a folder, a socket); ``problem``
    says which, without the path."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(problem)


def read_regular_file(path: Path, *, max_bytes: int | None) -> bytes:
    """The bytes of the regular file at ``path``, at most ``max_bytes + 1`` of them (so the
    caller can tell a file over the cap); :class:`NotRegularFileError` for anything else;
    OSError when it cannot be opened or read."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)  # non-blocking: opening a FIFO does not wait
    with os.fdopen(descriptor, "rb") as handle:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFileError(f"not a regular file ({_kind(mode)}); give a file's path")
        return handle.read(-1 if max_bytes is None else max_bytes + 1)


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a file"
