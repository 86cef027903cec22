"""Fixtures for the feeds engine tests (helpers live in loopback.py)."""

from loopback import server

__all__ = ["server"]
