"""Feed definitions for the engine's tests: one daily copper price series, any source."""

from __future__ import annotations

from typing import Any

from feeds.definitions import FeedDefinition

COPPER: dict[str, Any] = {
    "id": "copper_shfe_futures",
    "material": "copper",
    "indicator": "price",
    "frequency": "D",
    "unit": "CNY/t",
    "value": "close",
}


def feed(source: str, location: str, **extra: Any) -> FeedDefinition:
    """A feed ``test_feed`` of ``source`` at ``location`` giving :data:`COPPER` unless
    ``extra`` says otherwise."""
    document: dict[str, Any] = {"id": "test_feed", "source": source, "location": location}
    document.setdefault("series", [COPPER])
    document.update(extra)
    return FeedDefinition.model_validate(document)
