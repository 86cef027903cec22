"""The web application: the REST API under ``/api/v1`` and ``/healthz``.

Domain errors become HTTP answers here and only here: an unknown id 404, a refused move 409
(the body says why), a refused account request 409 or 404, a malformed request 422, a body
over the cap 413 (:mod:`warning.api.edge`), anything unexpected 500. Every error body is JSON
with ``detail``.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from warning.accounts import AccountError
from warning.api.edge import BodyLimit, ServerErrors, validation_failed
from warning.api.routes import admin, materials, public_warning, review, silences, unsubscribe
from warning.context import ServiceContext
from warning.review.lifecycle import InvalidMove, ItemNotFound

API_PREFIX = "/api/v1"


def create_app(context: ServiceContext) -> FastAPI:
    """The app for ``context`` (one per process; ``warning serve`` runs it with uvicorn)."""
    app = FastAPI(
        title="Raw-material supply-demand early warning",
        version="1",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # Swagger UI loads from a CDN; the service works offline
        redoc_url=None,
    )
    app.state.context = context
    for module in (materials, review, silences, admin):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(unsubscribe.router)
    app.include_router(public_warning.router)
    app.add_exception_handler(ItemNotFound, _not_found)
    app.add_exception_handler(InvalidMove, _conflict)
    app.add_exception_handler(AccountError, _account)
    app.add_exception_handler(RequestValidationError, validation_failed)
    app.add_middleware(ServerErrors)
    app.add_middleware(BodyLimit, max_bytes=context.settings.max_body_bytes)
    app.add_api_route("/healthz", healthz, include_in_schema=False)
    return app


def healthz() -> dict[str, str]:
    """200 as soon as the app is up; no user needed."""
    return {"status": "ok"}


async def _not_found(_request: Request, error: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(error)}, status_code=404)


async def _conflict(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, InvalidMove)
    return JSONResponse({"detail": error.reason, "item": error.item_id}, status_code=409)


async def _account(_request: Request, error: Exception) -> JSONResponse:
    status = 404 if str(error).startswith("no ") else 409
    return JSONResponse({"detail": str(error)}, status_code=status)
