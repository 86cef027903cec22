"""The pages shown before anyone is signed in (``/login``, ``/setup``): rendered in the
language asked for (``?lang=``, then the language cookie), with the login form's CSRF token set
as a cookie beside the form (double submit, :func:`warning.web.auth.check_login_csrf`)."""

from __future__ import annotations

from typing import Any, Final

from fastapi import Request
from fastapi.responses import HTMLResponse

from warning.web.auth import LANGUAGE_COOKIE, LOGIN_CSRF_COOKIE, login_csrf
from warning.web.i18n import LANGUAGES, resolve_language
from warning.web.pages import WebState
from warning.web.security import set_cookie

ONE_YEAR: Final = 365 * 24 * 3600


def signed_out_page(
    request: Request,
    state: WebState,
    template: str,
    *,
    path: str,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """``template`` with the form's token, the language and the link to the other language
    (``path?lang=...``), and the cookies that go with them."""
    asked = request.query_params.get("lang")
    language = resolve_language(asked, request.cookies.get(LANGUAGE_COOKIE))
    token = login_csrf(request)
    body = state.templates.render(
        template,
        language=language,
        csrf=token,
        switch_url=f"{path}?lang={'en' if language == 'zh' else 'zh'}",
        **context,
    )
    response = HTMLResponse(body, status_code=status_code)
    set_cookie(response, request, LOGIN_CSRF_COOKIE, token)
    if asked in LANGUAGES:
        set_cookie(response, request, LANGUAGE_COOKIE, str(asked), max_age=ONE_YEAR)
    return response
