"""What every page shares: the app's web state, serving a page in one worker-thread hop, and
rendering a page (kept or not) in the visitor's frame."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

import rules
from feeds.definitions import FeedDefinitions
from warning import clock
from warning.accounts import Role
from warning.api.deps import SESSION_COOKIE
from warning.context import ServiceContext
from warning.store import transaction
from warning.web.auth import Visitor, page_visitor
from warning.web.board import BoardCache
from warning.web.freshness import Freshness
from warning.web.i18n import Formats
from warning.web.levels import LevelCache
from warning.web.pagecache import RenderedPages
from warning.web.templating import CSRF_SLOT, Templates


@dataclass(frozen=True)
class WebState:
    """Built once per process: templates, caches, the rule set and the feed definitions."""

    templates: Templates
    board: BoardCache
    levels: LevelCache
    pages: RenderedPages
    freshness: Freshness
    ruleset: rules.RuleSet
    definitions: FeedDefinitions


async def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


State = Annotated[WebState, Depends(web_state)]
PageHandler = Callable[[Session, Visitor], Response]


async def serve(request: Request, handler: PageHandler) -> Response:
    """Run ``handler`` for the signed-in visitor in one worker thread, in one transaction
    that commits before the answer goes (no visitor: :class:`LoginRequired`)."""
    return await run_in_threadpool(_serve, request, handler)


def _serve(request: Request, handler: PageHandler) -> Response:
    context: ServiceContext = request.app.state.context
    with transaction(context.factory) as db:  # connects only if the store is asked
        return handler(db, page_visitor(request, db, _state(request).freshness))


def language_switch(request: Request, language: str) -> str:
    """This page's URL in ``language`` (``?lang=``), other query parameters kept."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return f"{request.url.path}?{urlencode([*params, ('lang', language)])}"


def formats(request: Request, person: Visitor) -> Formats:
    return _state(request).templates.formats(person.language)


def _state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def _shared(person: Visitor, section: str) -> dict[str, Any]:
    return {
        "user": person,
        "csrf": CSRF_SLOT,
        "section": section,
        "now": clock.now(),
        "may_operate": person.may(Role.OPERATOR),
        "may_admin": person.may(Role.ADMIN),
    }


def _render(
    request: Request,
    person: Visitor,
    template: str,
    shared: dict[str, Any],
    context: dict[str, Any],
) -> str:
    """The page in its frame, :data:`CSRF_SLOT` where the token goes."""
    templates = _state(request).templates
    parts = templates.render_parts(template, language=person.language, **shared, **context)
    other = "en" if person.language == "zh" else "zh"
    return templates.render_frame(
        parts,
        language=person.language,
        user=person,
        section=shared["section"],
        switch_url=language_switch(request, other),
    )


def _answer(person: Visitor, html: str, status_code: int) -> HTMLResponse:
    return HTMLResponse(html.replace(CSRF_SLOT, person.csrf), status_code=status_code)


def page(
    request: Request,
    person: Visitor,
    template: str,
    *,
    section: str,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """The page ``template`` for ``person``, in their language, with the shared frame."""
    html = _render(request, person, template, _shared(person, section), context)
    return _answer(person, html, status_code)


def _kept_key(
    request: Request, person: Visitor, template: str, key: Hashable, store: tuple[Any, ...]
) -> tuple[Any, ...]:
    """Everything a kept page depends on but the minute (:mod:`warning.web.pagecache`)."""
    return (
        template,
        key,
        request.url.path,
        request.url.query,
        person.name,
        person.role,
        person.language,
        store,
    )


def _minute(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


def kept_page(
    request: Request,
    db: Session,
    person: Visitor,
    template: str,
    *,
    section: str,
    key: Hashable,
    context: Callable[[], dict[str, Any]],
) -> HTMLResponse:
    """Like :func:`page`, kept (:mod:`warning.web.pagecache`) under ``key`` with the page's
    URL, the visitor, the store's fingerprint (:mod:`warning.web.freshness`) and the minute;
    ``context`` is only called when the page must be rendered."""
    shared = _shared(person, section)
    state = _state(request)
    full_key = _kept_key(request, person, template, key, state.freshness.fingerprint(db))
    html = state.pages.get(
        full_key,
        _minute(shared["now"]),
        lambda: _render(request, person, template, shared, context()),
    )
    return _answer(person, html, 200)


async def serve_kept(
    request: Request,
    template: str,
    *,
    section: str,
    key: Hashable,
    context: Callable[[Session, Visitor], dict[str, Any]],
) -> Response:
    """A kept page: answered at once when the visitor, the store's fingerprint and the page
    are all kept and fresh (no worker thread, no store); else through :func:`serve`."""
    answer = _kept_at_once(request, template, key)
    if answer is not None:
        return answer
    return await serve(
        request,
        lambda db, person: kept_page(
            request,
            db,
            person,
            template,
            section=section,
            key=key,
            context=lambda: context(db, person),
        ),
    )


def _kept_at_once(request: Request, template: str, key: Hashable) -> HTMLResponse | None:
    state = _state(request)
    now = clock.now()
    browser = state.freshness.peek_browser(request.cookies.get(SESSION_COOKIE, ""), now=now)
    store = state.freshness.peek_fingerprint()
    asked = request.query_params.get("lang")
    if browser is None or store is None or (asked is not None and asked != browser.language):
        return None
    person = Visitor.of(browser)
    html = state.pages.peek(_kept_key(request, person, template, key, store), _minute(now))
    return None if html is None else _answer(person, html, 200)
