"""HTTP policies for tests: no sleeping between retries, a seeded jitter, a fixed clock."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from feeds.http import HttpPolicy

TEST_NOW = datetime(2026, 3, 3, 12, 0, 0, tzinfo=UTC)


def quick_policy(**overrides: Any) -> HttpPolicy:
    """Retries without waiting, jitter from a fixed seed, and :data:`TEST_NOW` as the clock."""
    fields: dict[str, Any] = {
        "sleep": lambda _seconds: None,
        "rng": random.Random(0),
        "clock": lambda: TEST_NOW,
    }
    fields.update(overrides)
    return HttpPolicy(**fields)
