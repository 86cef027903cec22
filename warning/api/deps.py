"""Request dependencies: the service context, a session per request, the calling user.

The session's transaction commits when the endpoint returns and rolls back when it raises,
so a refused move (409) or a bad body (422) leaves the store as it was. It commits before the
response is sent (``scope="function"``): a client that reads right after a 200 sees the change.

The caller is named by ``Authorization: Bearer <token>`` or, for the web pages' own scripts,
by the session cookie of a signed-in browser; a cookie-authenticated call that changes
something must also carry the session's CSRF token in ``X-CSRF-Token``.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
from typing import Annotated, Final

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy.orm import Session

from warning import clock
from warning.accounts import ROLE_RANK, ApiToken, Role, User
from warning.accounts.models import WebSession
from warning.accounts.service import user_for_token
from warning.accounts.sessions import session_user
from warning.context import ServiceContext
from warning.store import read_only, transaction

UNAUTHORISED = {"WWW-Authenticate": "Bearer"}
SESSION_COOKIE: Final = "warning_session"
CSRF_HEADER: Final = "X-CSRF-Token"
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})


async def service_context(request: Request) -> ServiceContext:
    context: ServiceContext = request.app.state.context
    return context


def session(
    request: Request,
    context: Annotated[ServiceContext, Depends(service_context)],
) -> Iterator[Session]:
    """One session per request: a write transaction for a change (it commits when the
    endpoint returns and rolls back when it raises), a plain read for GET, which takes no
    write lock (on SQLite, readers never wait for one another)."""
    if request.method in SAFE_METHODS:
        with read_only(context.factory) as opened:
            yield opened
        return
    with transaction(context.factory) as opened:
        yield opened


Db = Annotated[Session, Depends(session, scope="function")]


def current_user(request: Request, db: Db) -> User:
    """The user of ``Authorization: Bearer <token>`` or of a signed-in browser's session
    cookie; 401 without either, 403 for a cookie call that changes something without the
    session's CSRF token."""
    header = request.headers.get("Authorization", "")
    cookie = request.cookies.get(SESSION_COOKIE)
    if not header and cookie:
        signed_in = session_user(db, cookie=cookie, now=clock.now())
        if signed_in is not None:
            browser_user, web = signed_in
            sent = request.headers.get(CSRF_HEADER, "")
            if request.method not in SAFE_METHODS and not hmac.compare_digest(
                sent.encode(), web.csrf_token.encode()
            ):
                raise HTTPException(
                    status.HTTP_403_FORBIDDEN,
                    f"a call with the session cookie that changes something needs {CSRF_HEADER}",
                )
            if request.method in SAFE_METHODS and db.dirty:
                _record_use(request, db)
            return browser_user
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "a bearer token is required", headers=UNAUTHORISED
        )
    user = user_for_token(db, token=token.strip(), now=clock.now())
    if user is not None and request.method in SAFE_METHODS and db.dirty:
        _record_use(request, db)
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "the token is not valid (unknown, revoked or expired)",
            headers=UNAUTHORISED,
        )
    return user


def _record_use(request: Request, db: Session) -> None:
    """A read request's token or session use (at most once a minute) in a short write of its
    own: the read session itself writes nothing."""
    context: ServiceContext = request.app.state.context
    used = [
        (type(row), row.id, attribute, getattr(row, attribute))
        for row in list(db.dirty)
        for kind, attribute in ((ApiToken, "last_used_at"), (WebSession, "last_seen_at"))
        if isinstance(row, kind)
    ]
    for row in list(db.dirty):
        db.expire(row)
    with transaction(context.factory) as writer:
        for kind, row_id, attribute, moment in used:
            stored = writer.get(kind, row_id)
            if stored is not None:
                setattr(stored, attribute, moment)


def role_at_least(role: Role) -> Callable[[User], User]:
    """A dependency admitting users whose role is ``role`` or above; 403 for others."""

    def check(user: Annotated[User, Depends(current_user)]) -> User:
        if ROLE_RANK[user.role] < ROLE_RANK[role]:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"this needs the {role} role; {user.name} is {user.role}"
            )
        return user

    return check


def role_among(*roles: Role) -> Callable[[User], User]:
    """A dependency admitting users of exactly these ``roles`` (not a rank: enterprise
    reporting admits a reporter and the desk's operators and admins, not a viewer); 403 for
    others."""
    admitted = frozenset(roles)

    def check(user: Annotated[User, Depends(current_user)]) -> User:
        if user.role not in admitted:
            names = " or ".join(sorted(admitted))
            refusal = f"this needs the {names} role; {user.name} is {user.role}"
            raise HTTPException(status.HTTP_403_FORBIDDEN, refusal)
        return user

    return check


Context = Annotated[ServiceContext, Depends(service_context)]
Viewer = Annotated[User, Depends(role_at_least(Role.VIEWER))]
Operator = Annotated[User, Depends(role_at_least(Role.OPERATOR))]
Admin = Annotated[User, Depends(role_at_least(Role.ADMIN))]
# a reporter (its own enterprise's reports) or the desk (every enterprise's, audited)
ReporterOrDesk = Annotated[User, Depends(role_among(Role.REPORTER, Role.OPERATOR, Role.ADMIN))]
