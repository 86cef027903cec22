"""The web application: the REST API under ``/api/v1``, ``/healthz``, and ``/readyz`` and
``/metrics`` for the platform (:mod:`warning.api.routes.operations`).

The service's errors become HTTP answers here and only here, by their kind
(:mod:`warning.errors`): not found 404, refused or conflicting 409 (the body says why), invalid
422, unavailable 503; a malformed request 422, a body over the cap 413
(:mod:`warning.api.edge`), anything unexpected 500. Every error body is JSON with ``detail``.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from warning.api.edge import BodyLimit, ServerErrors, validation_failed
from warning.api.metrics import RequestMetrics, registry_for
from warning.api.routes import (
    admin,
    materials,
    operations,
    public_warning,
    reporting_desk,
    reports,
    review,
    silences,
    unsubscribe,
)
from warning.context import ServiceContext
from warning.errors import HTTP_STATUS, ServiceError

API_PREFIX = "/api/v1"


def create_app(context: ServiceContext) -> FastAPI:
    """The app for ``context`` (one per process; ``warning serve`` runs it with uvicorn)."""
    app = FastAPI(
        title="Raw-material supply-demand early warning",
        version="1",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # the web app serves it from its own files (web/routes/api_docs.py)
        redoc_url=None,
    )
    app.state.context = context
    app.state.ready_checks = []  # `warning serve` adds its own (the jobs process alive)
    app.state.metrics, requests = registry_for(context)
    for module in (materials, review, silences, admin, reports, reporting_desk):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(unsubscribe.router)
    app.include_router(public_warning.router)
    app.include_router(operations.router)
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, validation_failed)
    app.add_middleware(ServerErrors)
    app.add_middleware(BodyLimit, max_bytes=context.settings.max_body_bytes)
    app.add_middleware(RequestMetrics, histogram=requests)
    app.add_api_route("/healthz", healthz, include_in_schema=False)
    return app


def healthz() -> dict[str, str]:
    """200 as soon as the app is up; no user needed."""
    return {"status": "ok"}


async def _service_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ServiceError)
    return service_error_answer(error)


def service_error_answer(error: ServiceError) -> JSONResponse:
    """The service's own errors, by kind (:mod:`warning.errors`): not found 404, refused or
    conflicting 409, invalid 422, unavailable 503; the body says why."""
    return JSONResponse(error.answer(), status_code=HTTP_STATUS[error.kind])
