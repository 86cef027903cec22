"""The API fuzzed from its own OpenAPI document (Schemathesis): as an admin, an operator and
anonymously, every operation answers without a server error and as its document says.

Bounded and repeatable: a fixed number of examples per operation, derandomised (the same
requests on every run), on one store per role (SQLite; PostgreSQL too when configured).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.api.conftest import Api
from tests.support.review import step
from warning import clock

EXAMPLES = 6  # per operation, each sent as 3 users: 21 operations x 6 x 3 = 378 requests a store
ROLES = {"anonymous": None, "operator": "otto", "admin": "ada"}


@pytest.fixture
def api_schema(api: Api) -> Any:
    with api.factory() as session, session.begin():  # something to list, show and decide
        step(session, {"copper": ("yellow", "up"), "zinc": ("red", "down")}, now=clock.now())
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", api.client.app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_holds_to_its_document(case: Any, api: Api) -> None:
    for user in ROLES.values():  # each example as each of them
        headers = api.as_(user) if user else {}
        case.call_and_validate(
            headers=headers, checks=[not_a_server_error, response_schema_conformance]
        )
