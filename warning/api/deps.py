"""Request dependencies: the service context, a session per request, the calling user.

The session's transaction commits when the endpoint returns and rolls back when it raises,
so a refused move (409) or a bad body (422) leaves the store as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy.orm import Session

from warning import clock
from warning.accounts import ROLE_RANK, ApiToken, Role, User
from warning.accounts.service import user_for_token
from warning.context import ServiceContext
from warning.store import read_only, transaction

UNAUTHORISED = {"WWW-Authenticate": "Bearer"}


def service_context(request: Request) -> ServiceContext:
    context: ServiceContext = request.app.state.context
    return context


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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


def current_user(request: Request, db: Annotated[Session, Depends(session)]) -> User:
    """The user of ``Authorization: Bearer <token>``; 401 without a valid token."""
    header = request.headers.get("Authorization", "")
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
    """A read request's token use (at most once a minute) in a short write of its own."""
    context: ServiceContext = request.app.state.context
    tokens = [token for token in db.dirty if isinstance(token, ApiToken)]
    used = {token.id: token.last_used_at for token in tokens}
    for token in tokens:
        db.expire(token)  # the read session writes nothing
    with transaction(context.factory) as writer:
        for token_id, moment in used.items():
            stored = writer.get(ApiToken, token_id)
            if stored is not None:
                stored.last_used_at = moment


def role_at_least(role: Role) -> Callable[[User], User]:
    """A dependency admitting users whose role is ``role`` or above; 403 for others."""

    def check(user: Annotated[User, Depends(current_user)]) -> User:
        if ROLE_RANK[user.role] < ROLE_RANK[role]:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"this needs the {role} role; {user.name} is {user.role}"
            )
        return user

    return check


Db = Annotated[Session, Depends(session)]
Context = Annotated[ServiceContext, Depends(service_context)]
Viewer = Annotated[User, Depends(role_at_least(Role.VIEWER))]
Operator = Annotated[User, Depends(role_at_least(Role.OPERATOR))]
Admin = Annotated[User, Depends(role_at_least(Role.ADMIN))]
