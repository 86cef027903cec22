"""The API fixture, for the concurrency test that approves through HTTP."""

from tests.api.conftest import api  # noqa: F401  (a fixture)
