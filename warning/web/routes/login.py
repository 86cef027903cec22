"""``/login`` and ``/logout``.

A login checks the form's CSRF token (double submit: the form's hidden field against the
cookie set with the form), then the password (:func:`warning.accounts.sessions.login`, limited
per account and per address: 429 when over), and on success sets the session cookie
(HttpOnly, SameSite=Lax, Secure over https) and goes back to the page that asked.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from warning import clock
from warning.accounts import Role
from warning.accounts.sessions import LoginThrottled, end_session, login, signed_in
from warning.api.deps import SESSION_COOKIE, Context, Db
from warning.api.fields import Line, LongQuery
from warning.web.auth import (
    LANGUAGE_COOKIE,
    LOGIN_CSRF_COOKIE,
    CheckedForm,
    CurrentVisitor,
    check_login_csrf,
)
from warning.web.pages import State
from warning.web.routes.setup import no_user_yet
from warning.web.security import clear_cookie, set_cookie
from warning.web.signed_out import ONE_YEAR, signed_out_page

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """A local path to go to after login; anything else (another site) becomes the board."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _login_page(
    request: Request,
    state: State,
    *,
    next_path: str,
    status_code: int = 200,
    problem: str | None = None,
    retry_after: int | None = None,
) -> Response:
    response = signed_out_page(
        request,
        state,
        "login.html",
        path="/login",
        status_code=status_code,
        next_path=next_path,
        problem=problem,
        retry_after=retry_after,
    )
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


@router.get("/login")
def login_form(request: Request, db: Db, state: State, next: LongQuery = None) -> Response:
    """The login form (a signed-in visitor goes straight on; with no user yet, the first
    admin's setup page)."""
    if no_user_yet(db):
        return RedirectResponse("/setup", status_code=303)
    cookie = request.cookies.get(SESSION_COOKIE, "")
    if signed_in(db, cookie=cookie, now=clock.now()) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, state, next_path=safe_next(next))


@router.post("/login")
def login_submit(
    request: Request,
    db: Db,
    state: State,
    context: Context,
    name: Annotated[Line, Form(max_length=64)] = "",
    password: Annotated[Line, Form(max_length=1000)] = "",
    csrf_token: Annotated[Line, Form(max_length=128)] = "",
    next: Annotated[Line, Form(max_length=2000)] = "/",
) -> Response:
    """Check the password; on success set the session cookie and go on."""
    check_login_csrf(request, csrf_token)
    address = request.client.host if request.client else "unknown"
    try:
        signed_in = login(
            db,
            name=name,
            password=password,
            address=address,
            now=clock.now(),
            hours=context.settings.web_session_hours,
        )
    except LoginThrottled as throttled:
        return _login_page(
            request,
            state,
            next_path=safe_next(next),
            status_code=429,
            problem="throttled",
            retry_after=throttled.retry_after,
        )
    if signed_in is None:
        return _login_page(
            request, state, next_path=safe_next(next), status_code=401, problem="wrong"
        )
    going = safe_next(next)
    if signed_in.user.role == Role.REPORTER and going == "/":  # a reporter's home: its form
        going = "/report"
    response = RedirectResponse(going, status_code=303)
    hours = context.settings.web_session_hours
    set_cookie(response, request, SESSION_COOKIE, signed_in.cookie, max_age=int(hours * 3600))
    clear_cookie(response, request, LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, db: Db, person: CurrentVisitor, form: CheckedForm) -> Response:
    """End the session; back to the login page."""
    end_session(db, cookie=request.cookies.get(SESSION_COOKIE, ""), now=clock.now())
    response = RedirectResponse("/login", status_code=303)
    clear_cookie(response, request, SESSION_COOKIE)
    set_cookie(response, request, LANGUAGE_COOKIE, person.language, max_age=ONE_YEAR)
    return response
