"""Who is looking at a page: the signed-in user of the session cookie, their language, and the
checks on what they send (CSRF token, role).

Every page but ``/login``, ``/healthz`` and ``/static`` depends on :func:`visitor`: without a
live session it raises :class:`LoginRequired`, which the app turns into a redirect to the
login page. Every form carries the session's CSRF token (synchroniser pattern: the token lives
in the server-side session row); :func:`checked_form` refuses a post without it. The login
form, which has no session yet, uses the double-submit pattern with a cookie of its own.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Final

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import FormData

from warning import clock
from warning.accounts import ROLE_RANK, Role
from warning.accounts.sessions import Browser, set_language, signed_in
from warning.api.deps import SESSION_COOKIE, Db
from warning.store import read_only
from warning.web.freshness import Freshness
from warning.web.i18n import LANGUAGES, resolve_language

LANGUAGE_COOKIE: Final = "warning_lang"
LOGIN_CSRF_COOKIE: Final = "warning_login_csrf"
CSRF_FIELD: Final = "csrf_token"


class LoginRequired(Exception):
    """No signed-in user: the browser is sent to the login page, then back to ``next``."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path
        super().__init__(next_path)


class CsrfRefused(Exception):
    """A form came without the CSRF token of the session (or the login page)."""


class RoleRefused(Exception):
    """The user's role may not do this."""

    def __init__(self, needed: Role) -> None:
        self.needed = needed
        super().__init__(f"this needs the {needed} role")


@dataclass(frozen=True)
class Visitor:
    """A signed-in user as the request found them: name, role, the language the page is in
    and the session's CSRF token (plain values: they outlive a rolled-back transaction)."""

    user_id: int
    name: str
    role: Role
    language: str
    csrf: str

    @classmethod
    def of(cls, browser: Browser, language: str | None = None) -> Visitor:
        return cls(
            browser.user_id,
            browser.name,
            browser.role,
            resolve_language(language, browser.language),
            browser.csrf_token,
        )

    def may(self, role: Role | str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[Role(role)]


REPORTER_PATHS: Final = ("/report/", "/logout")  # all a reporter may open (its own reports)


def _outside_the_desk(request: Request, role: Role) -> None:
    """A reporter sees only its own enterprise's reporting pages: :class:`RoleRefused`
    elsewhere (the desk's pages need at least a viewer)."""
    path = request.url.path
    if role == Role.REPORTER and not (path == "/report" or path.startswith(REPORTER_PATHS)):
        raise RoleRefused(Role.VIEWER)


def visitor(request: Request, db: Db) -> Visitor:
    """The signed-in user (:class:`LoginRequired` without one). ``?lang=zh|en`` switches the
    language and remembers it for the user."""
    browser = signed_in(db, cookie=request.cookies.get(SESSION_COOKIE, ""), now=clock.now())
    if browser is None:
        raise LoginRequired(_here(request))
    _outside_the_desk(request, browser.role)
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        set_language(db, user_id=browser.user_id, language=str(asked))
        return Visitor.of(browser, str(asked))
    return Visitor.of(browser)


def page_visitor(request: Request, db: Session, freshness: Freshness) -> Visitor:
    """:func:`visitor` for a page view: the session as :class:`Freshness` keeps it."""
    cookie = request.cookies.get(SESSION_COOKIE, "")
    browser = freshness.browser(db, cookie=cookie, now=clock.now()) if cookie else None
    if browser is None:
        raise LoginRequired(_here(request))
    _outside_the_desk(request, browser.role)
    asked = request.query_params.get("lang")
    if asked in LANGUAGES and asked != browser.language:
        set_language(db, user_id=browser.user_id, language=str(asked))
        freshness.forget()
        return Visitor.of(browser, str(asked))
    return Visitor.of(browser)


def _here(request: Request) -> str:
    """Where to come back to after logging in: this page for a GET, else the board."""
    if request.method != "GET":
        return "/"
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def role_at_least(role: Role) -> Callable[[Visitor], Visitor]:
    """A dependency admitting visitors whose role is ``role`` or above."""

    def check(person: Annotated[Visitor, Depends(visitor)]) -> Visitor:
        if not person.may(role):
            raise RoleRefused(role)
        return person

    return check


async def checked_form(request: Request, person: Annotated[Visitor, Depends(visitor)]) -> FormData:
    """The posted form, refused (:class:`CsrfRefused`) unless it carries the session's token."""
    form = await request.form()
    check_csrf(form, person)
    return form


def declared_too_large(request: Request, most: int) -> Response | None:
    """A refusal of an upload whose declared length is no number (400) or over ``most``
    bytes and room for the form around the file (413), before anything is read; else None."""
    declared = request.headers.get("content-length", "0")
    if not declared.isdigit():
        return Response("Content-Length: expected a number of bytes", status_code=400)
    if int(declared) > most + 64 * 1024:
        return Response(f"uploads are at most {most:,} bytes", status_code=413)
    return None


def uploader(request: Request, factory: sessionmaker[Session], role: Role) -> Visitor:
    """The signed-in visitor with ``role``, read in a session of its own: no write lock is
    held while an upload is read and checked (a form's own session would take it at once)."""
    with read_only(factory) as db:
        person = visitor(request, db)
    if not person.may(role):
        raise RoleRefused(role)
    return person


def check_csrf(form: FormData, person: Visitor) -> None:
    """:class:`CsrfRefused` unless ``form`` carries ``person``'s session token."""
    sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), person.csrf.encode()):
        raise CsrfRefused("the form did not carry this session's CSRF token")


def login_csrf(request: Request) -> str:
    """The login form's CSRF token: the browser's cookie, or a new one to set."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)


def check_login_csrf(request: Request, sent: str) -> None:
    """Double submit: the login form's token must equal the cookie set with the form."""
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(sent.encode(), cookie.encode()):
        raise CsrfRefused("the login form did not carry its CSRF token")


CurrentVisitor = Annotated[Visitor, Depends(visitor)]
Operator = Annotated[Visitor, Depends(role_at_least(Role.OPERATOR))]
Admin = Annotated[Visitor, Depends(role_at_least(Role.ADMIN))]
CheckedForm = Annotated[FormData, Depends(checked_form)]
