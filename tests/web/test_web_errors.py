"""The web app answers the service's errors by kind in one place: a page gets the refusal page
with the kind's status and why; the API under it keeps answering JSON."""

from __future__ import annotations

import pytest

from tests.web.conftest import Web
from warning.errors import Invalid, NotFound, Refused, ServiceError, Unavailable


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NotFound("no such thing 7"), 404),
        (Refused("decided already"), 409),
        (Invalid("the period is not a month"), 422),
        (Unavailable("the store is locked"), 503),
    ],
)
def test_a_service_error_from_a_page_is_the_refusal_page_at_its_kinds_status(
    web: Web, error: ServiceError, status: int
) -> None:
    def fail() -> None:
        raise error

    web.app.add_api_route("/broken-page", fail)
    web.app.add_api_route("/api/v1/broken", fail)

    page = web.as_("vera").get("/broken-page?lang=en")
    assert page.status_code == status
    assert page.headers["content-type"].startswith("text/html")
    assert str(error) in page.text and 'data-page="refused"' in page.text

    api = web.as_("vera").get("/api/v1/broken")
    assert api.status_code == status
    assert api.json() == {"detail": str(error)}


def test_an_unknown_item_decided_from_the_web_is_404(web: Web) -> None:
    missing = web.post("otto", "/items/424242/approve", {})
    assert missing.status_code == 404
    assert "424242" in missing.text
