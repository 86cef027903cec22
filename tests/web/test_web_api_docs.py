"""The API's documentation at /api/v1/docs: Swagger UI from the service's own files."""

from __future__ import annotations

import re

from tests.web.conftest import Web


def test_the_api_documentation_is_served_from_the_package(web: Web) -> None:
    browser = web.anonymous()
    page = browser.get("/api/v1/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'data-openapi="/api/v1/openapi.json"' in page.text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert not [s for s in sources if not s.startswith("/")]  # nothing from another host
    assert "<script>" not in page.text  # no inline script: the CSP allows none
    for needed in ("swagger-ui-bundle.js", "swagger-ui.css", "api-docs.js"):
        url = next(s for s in sources if needed in s)
        answer = browser.get(url)
        assert answer.status_code == 200 and len(answer.content) > 100, url
    schema = browser.get("/api/v1/openapi.json").json()
    assert "/api/v1/materials" in schema["paths"]
