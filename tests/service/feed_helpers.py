"""Helpers for the service's feed tests: feed definitions, price files, loopback replies.

A module of its own (not conftest) so tests import it by a name no other test folder uses.
"""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from feeds.definitions import FeedDefinition, FeedDefinitions, parse_definitions

TODAY = date(2026, 3, 31)  # feeds refuse periods after "today"; tests pin it


def price_feed(
    feed_id: str,
    location: str,
    *,
    series: str = "copper_shfe_futures",
    material: str = "copper",
    source: str = "file",
    **extra: Any,
) -> dict[str, Any]:
    """A wide daily price feed (date, close) as a definitions-file entry."""
    return {
        "id": feed_id,
        "source": source,
        "location": location,
        "mapping": {"period": "date", "period_format": "%Y-%m-%d"},
        "series": [
            {
                "id": series,
                "material": material,
                "indicator": "price",
                "frequency": "D",
                "unit": "CNY/t",
                "value": "close",
            }
        ],
        **extra,
    }


def definitions(*feeds: dict[str, Any]) -> FeedDefinitions:
    return parse_definitions({"version": 1, "feeds": list(feeds)}, source="test feeds.yaml")


def one(feed: dict[str, Any]) -> FeedDefinition:
    return definitions(feed).feeds[0]


def prices_csv(rows: list[tuple[str, object]]) -> str:
    return "date,close\n" + "".join(f"{day},{value}\n" for day, value in rows)


def write_prices(path: Path, rows: list[tuple[str, object]]) -> Path:
    """Write a wide price file; bump its mtime so file validators always see a change."""
    previous = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(prices_csv(rows), encoding="utf-8")
    stamp = max(time.time_ns(), previous + 1_000_000_000)
    os.utime(path, ns=(stamp, stamp))
    return path


def write_feeds_yaml(path: Path, *feeds: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump({"version": 1, "feeds": list(feeds)}), encoding="utf-8")
    return path


# --- a real HTTP server on loopback whose answers each test scripts (fixture in conftest) ---
