"""A job's last report kept as a JSON file under the var folder, for a page and a command.

Writing goes through a temporary file replaced at once (a reader never sees half a report);
a failure to write is logged, never raised (the job's work is done either way). Reading
gives None when nothing was kept, and logs and gives None when the file is unreadable.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger(__name__)
Report = TypeVar("Report")


def keep(path: Path, document: dict[str, Any], *, what: str) -> None:
    """Write ``document`` to ``path``; ``what`` names the report in a logged failure."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
        temporary.replace(path)
    except OSError as error:
        log.warning("%s not kept at %s: %s", what, path, error)


def read(path: Path, build: Callable[[dict[str, Any]], Report], *, what: str) -> Report | None:
    """The report ``build`` makes of the kept document, or None (never kept, or unreadable)."""
    try:
        return build(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        log.warning("%s at %s unreadable: %s", what, path, error)
        return None
