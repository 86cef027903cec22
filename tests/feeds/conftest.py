"""Fixtures for the feeds engine tests (shared with tests/service: tests/support)."""

from tests.support.loopback import other_server, refused_url, server

__all__ = ["other_server", "refused_url", "server"]
