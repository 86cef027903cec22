"""Fixtures for the service's feed tests: a loopback HTTP server and a no-sleep HTTP policy.

The store fixtures (``factory``, ``database_url``) come from tests/conftest.py and run every
store test on SQLite and, when configured, PostgreSQL.
"""

from __future__ import annotations

import random

import pytest

from feeds.http import HttpPolicy
from tests.support import policies
from tests.support.loopback import other_server, refused_url, server


@pytest.fixture
def quick_policy() -> HttpPolicy:
    """HTTP retries without sleeping between attempts."""
    return policies.quick_policy(timeout_s=2.0, rng=random.Random(3))


__all__ = ["other_server", "quick_policy", "refused_url", "server"]
