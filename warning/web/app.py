"""The whole web application: the analysts' pages and the REST API in one FastAPI app.

:func:`create_web_app` takes the API app (:func:`warning.api.app.create_app`) and adds the
pages (``/``, ``/queue``, ``/items/{id}``, ``/materials/{id}``, ``/feeds``, ``/admin``,
``/login``, ``/logout``), the static files under ``/static`` and the security headers
(:mod:`warning.web.security`). Pages need a signed-in user; without one they redirect to
``/login``. ``warning serve`` and ``warning demo`` run this app.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware

from feeds.definitions import FeedDefinitions
from warning.api.app import API_PREFIX, create_app, service_error_answer
from warning.clock import desk_zone
from warning.context import ServiceContext
from warning.errors import HTTP_STATUS, ServiceError
from warning.evaluation.runs import load_ruleset
from warning.feeding.feed_runs import load_feed_definitions
from warning.web.auth import LANGUAGE_COOKIE, CsrfRefused, LoginRequired, RoleRefused
from warning.web.board import BoardCache
from warning.web.freshness import ForgetOnChange, Freshness
from warning.web.i18n import resolve_language
from warning.web.levels import LevelCache
from warning.web.pagecache import RenderedPages
from warning.web.pages import WebState
from warning.web.routes import (
    admin,
    api_docs,
    audit,
    board,
    bulletins,
    deliveries,
    derive,
    digests,
    directory,
    feeds,
    items,
    login,
    materials,
    policy,
    queue,
    reporting,
    setup,
    uploads,
)
from warning.web.security import SecurityHeaders
from warning.web.templating import STATIC_DIR, Templates


def create_web_app(
    context: ServiceContext, *, definitions: FeedDefinitions | None = None
) -> FastAPI:
    """The app ``warning serve`` runs: pages, API, static files, security headers."""
    app = create_app(context)
    ruleset = load_ruleset(context.settings.rules_path, context.catalog)
    freshness = Freshness()
    definitions = definitions or load_feed_definitions(context.settings, context.catalog)
    app.state.web = WebState(
        templates=Templates(desk_zone(context.settings), context.catalog),
        board=BoardCache(context.catalog, unsourced=definitions.unsourced),
        levels=LevelCache(ruleset),
        pages=RenderedPages(),
        freshness=freshness,
        ruleset=ruleset,
        definitions=definitions,
    )
    api_routes = list(app.router.routes)
    for module in (
        *(login, setup, board, queue, items, materials, feeds, uploads, derive),
        *(deliveries, directory, bulletins, digests, audit, admin, policy, api_docs, reporting),
    ):
        app.include_router(module.router)
    # pages first: a page's path is matched before the API's routes are tried (they do not
    # overlap: the API is under /api/v1)
    pages = [route for route in app.router.routes if route not in api_routes]
    app.router.routes[:] = pages + api_routes
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_exception_handler(LoginRequired, _to_login)
    app.add_exception_handler(CsrfRefused, _refused)
    app.add_exception_handler(RoleRefused, _refused)
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(items.DecisionRefused, items.show_refused)
    app.add_exception_handler(admin.AdminRefused, admin.show_refused)
    app.add_middleware(ForgetOnChange, freshness=freshness)
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=5)
    app.add_middleware(SecurityHeaders)
    return app


async def _to_login(_request: Request, error: Exception) -> Response:
    assert isinstance(error, LoginRequired)
    return RedirectResponse(f"/login?next={quote(error.next_path, safe='')}", status_code=303)


async def _service_error(request: Request, error: Exception) -> Response:
    """A service error no page caught: the API answers JSON as it always does; a page
    answers the refusal page with the status of the error's kind (404, 409, 422, 503) and
    why, in one place (:data:`warning.errors.HTTP_STATUS`)."""
    assert isinstance(error, ServiceError)
    if request.url.path.startswith(API_PREFIX):
        return service_error_answer(error)
    state: WebState = request.app.state.web
    language = resolve_language(
        request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)
    )
    body = state.templates.render("refused.html", language=language, problem=str(error))
    return HTMLResponse(body, status_code=HTTP_STATUS[error.kind])


async def _refused(request: Request, error: Exception) -> Response:
    """403 page for a form without its CSRF token or a role that may not act."""
    state: WebState = request.app.state.web
    language = resolve_language(
        request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)
    )
    csrf = isinstance(error, CsrfRefused)
    body = state.templates.render(
        "refused.html", language=language, csrf_refused=csrf, needed=getattr(error, "needed", None)
    )
    return HTMLResponse(body, status_code=403)
