"""Fixtures for the feeds engine tests (shared with tests/service: tests/support)."""

from tests.support.loopback import refused_url, server

__all__ = ["refused_url", "server"]
