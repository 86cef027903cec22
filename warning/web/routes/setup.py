"""``/setup``: the first admin, made from the web on a fresh install.

While the store has no user at all, ``warning serve`` logs a setup code and ``/setup`` asks
for it with the first admin's name and password (twice); ``/login`` sends there. The code is
derived from the service's secret key (:func:`setup_code`), so every replica logs and accepts
the same one, and only whoever reads the server's log (or holds ``WARNING_SECRET_KEY``) can
use it. Once any user exists ``/setup`` is a 404 for everyone, and making the admin writes the
audit like ``warning users add`` (actor ``setup``) and signs the new admin in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warning import clock
from warning.accounts import Role, User
from warning.accounts.service import MIN_PASSWORD, AccountError, add_user
from warning.accounts.sessions import start_session
from warning.api.deps import SESSION_COOKIE, Context, Db
from warning.api.fields import Line
from warning.context import ServiceContext, secret_key
from warning.store import read_only
from warning.store.locks import hold_until_commit
from warning.web.auth import LOGIN_CSRF_COOKIE, check_login_csrf
from warning.web.pages import State
from warning.web.security import clear_cookie, set_cookie
from warning.web.signed_out import signed_out_page

log = logging.getLogger(__name__)
FIRST_ADMIN_LOCK = "first-admin"
router = APIRouter(include_in_schema=False)
PURPOSE = b"warning: the first admin's setup code"


def setup_code(key: str) -> str:
    """The setup code for the secret ``key``: 16 letters and digits, the same in every replica."""
    digest = hmac.new(key.encode(), PURPOSE, hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:16].lower()


def no_user_yet(db: Session) -> bool:
    """Whether the store has no user at all (disabled ones count as users)."""
    return db.scalar(select(func.count(User.id))) == 0


def announce_setup(context: ServiceContext) -> None:
    """Log where and with which code to make the first admin, when there is no user yet."""
    with read_only(context.factory) as db:
        if not no_user_yet(db):
            return
    log.warning(
        "no user yet: make the first admin at %s/setup with the setup code %s "
        "(or run `warning users add NAME --role admin`)",
        context.settings.public_url.rstrip("/"),
        setup_code(secret_key(context.settings)),
    )


def _page(
    request: Request, state: State, *, status_code: int = 200, problem: str | None = None
) -> Response:
    return signed_out_page(
        request,
        state,
        "setup.html",
        path="/setup",
        status_code=status_code,
        problem=problem,
        min_password=MIN_PASSWORD,
    )


def _only_before_the_first_user(db: Session) -> None:
    if not no_user_yet(db):
        raise HTTPException(status_code=404, detail="Not Found")


@router.get("/setup")
def setup_form(request: Request, db: Db, state: State) -> Response:
    """The first admin's form; 404 once any user exists."""
    _only_before_the_first_user(db)
    return _page(request, state)


@router.post("/setup")
def setup_submit(
    request: Request,
    db: Db,
    state: State,
    context: Context,
    code: Annotated[Line, Form(max_length=64)] = "",
    name: Annotated[Line, Form(max_length=64)] = "",
    password: Annotated[Line, Form(max_length=1000)] = "",
    again: Annotated[Line, Form(max_length=1000)] = "",
    csrf_token: Annotated[Line, Form(max_length=128)] = "",
) -> Response:
    """Make the first admin with the setup code and sign them in; 404 once any user exists."""
    check_login_csrf(request, csrf_token)
    hold_until_commit(db, FIRST_ADMIN_LOCK)  # two posts at once: the second waits, then 404s
    _only_before_the_first_user(db)
    expected = setup_code(secret_key(context.settings))
    if not hmac.compare_digest(code.strip().lower().encode(), expected.encode()):
        log.warning("a first-admin setup with a wrong code was refused")
        return _page(request, state, status_code=403, problem="code")
    if password != again:
        return _page(request, state, status_code=422, problem="again")
    now = clock.now()
    try:
        user = add_user(db, name=name, role=Role.ADMIN, password=password, actor="setup", now=now)
    except AccountError:
        return _page(request, state, status_code=422, problem="account")
    address = request.client.host if request.client else "unknown"
    hours = context.settings.web_session_hours
    _web, cookie = start_session(db, user=user, address=address, now=now, hours=hours)
    log.info("first admin %r made from the web", user.name)
    response = RedirectResponse("/", status_code=303)
    set_cookie(response, request, SESSION_COOKIE, cookie, max_age=int(hours * 3600))
    clear_cookie(response, request, LOGIN_CSRF_COOKIE)
    return response
