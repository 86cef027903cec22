"""The registry of source kinds: adding a source is adding a module to this package.

Every module here (other than ``base``) defines ``SOURCE``, an object with a ``kind`` and
``read(feed, context) -> SourceRows`` (see :mod:`feeds.sources.base`). :data:`SOURCES` maps each
kind to its source; definitions name a kind in their ``source`` field.
"""

from __future__ import annotations

import importlib
import pkgutil

from feeds.sources.base import ReadContext, Source, SourceError, SourceRows


def _discover() -> dict[str, Source]:
    found: dict[str, Source] = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name == "base" or module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        source: Source = module.SOURCE
        if source.kind in found:
            raise RuntimeError(f"two sources claim the kind {source.kind!r}")
        found[source.kind] = source
    return found


SOURCES: dict[str, Source] = _discover()

__all__ = ["SOURCES", "ReadContext", "Source", "SourceError", "SourceRows"]
