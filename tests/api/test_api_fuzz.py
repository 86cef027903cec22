"""The API fuzzed from its own OpenAPI document (Schemathesis): as an admin, an operator and
anonymously, every operation answers without a server error and as its document says.

Bounded and repeatable: a fixed number of examples per operation, derandomised (the same
requests on every run), each sent as the next of the three users in turn, on one store
(SQLite; PostgreSQL too when configured: there an id past 32 bits or a NUL was a 500).
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.api.conftest import Api
from tests.support.review import step
from warning import clock

EXAMPLES = 6  # per operation (plus the coverage phase): the suite grew; CI stays under 20 minutes
USERS = itertools.cycle([None, "otto", "ada"])  # anonymous, an operator, an admin, in turn


@pytest.fixture
def api_schema(api: Api) -> Any:
    with api.factory() as session, session.begin():  # something to list, show and decide
        step(session, {"copper": ("yellow", "up"), "zinc": ("red", "down")}, now=clock.now())
    loaded = schemathesis.openapi.from_asgi("/api/v1/openapi.json", api.client.app)
    # what fits the document and what does not (huge numbers, control characters, wrong types)
    loaded.config.generation.update(modes=list(GenerationMode), allow_x00=True)
    return loaded


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
    user = next(USERS)
    case.call_and_validate(
        headers=api.as_(user) if user else {},
        checks=[not_a_server_error, response_schema_conformance],
    )
