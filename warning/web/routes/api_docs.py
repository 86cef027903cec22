"""The API's documentation, ``/api/v1/docs``: Swagger UI over the app's OpenAPI document,
from the service's own static files (``static/vendor/swagger-ui-*``; no CDN). Open like the
OpenAPI document itself: it says how to call the API, and every call needs a token."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from warning.api.app import API_PREFIX
from warning.web.auth import LANGUAGE_COOKIE
from warning.web.i18n import resolve_language
from warning.web.pages import WebState

router = APIRouter(include_in_schema=False)


@router.get(f"{API_PREFIX}/docs")
async def api_docs(request: Request) -> HTMLResponse:
    """The documentation page."""
    state: WebState = request.app.state.web
    language = resolve_language(
        request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)
    )
    body = state.templates.render(
        "api_docs.html", language=language, openapi_url=f"{API_PREFIX}/openapi.json"
    )
    return HTMLResponse(body)
