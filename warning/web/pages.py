"""What every page shares: the app's web state and rendering a page for a visitor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse

import rules
from feeds.definitions import FeedDefinitions
from warning import clock
from warning.accounts import Role
from warning.web.auth import Visitor
from warning.web.board import BoardCache
from warning.web.i18n import Formats
from warning.web.levels import LevelCache
from warning.web.templating import Templates


@dataclass(frozen=True)
class WebState:
    """Built once per process: templates, caches, the rule set and the feed definitions."""

    templates: Templates
    board: BoardCache
    levels: LevelCache
    ruleset: rules.RuleSet
    definitions: FeedDefinitions


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


State = Annotated[WebState, Depends(web_state)]


def language_switch(request: Request, language: str) -> str:
    """This page's URL in ``language`` (``?lang=``), other query parameters kept."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return f"{request.url.path}?{urlencode([*params, ('lang', language)])}"


def formats(request: Request, person: Visitor) -> Formats:
    return web_state(request).templates.formats(person.language)


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
    state = web_state(request)
    other = "en" if person.language == "zh" else "zh"
    body = state.templates.render(
        template,
        language=person.language,
        user=person,
        csrf=person.csrf,
        section=section,
        switch_url=language_switch(request, other),
        now=clock.now(),
        may_operate=person.may(Role.OPERATOR),
        may_admin=person.may(Role.ADMIN),
        **context,
    )
    return HTMLResponse(body, status_code=status_code)
