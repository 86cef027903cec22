"""Users, tokens and the review policy: admins manage, viewers may read the policy."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from warning import clock
from warning.accounts.models import ApiToken
from warning.accounts.service import (
    add_user,
    create_token,
    disable_user,
    list_tokens,
    list_users,
    revoke_token,
)
from warning.api.deps import Admin, Context, Db, Viewer
from warning.api.fields import Limit, Line, Offset, RowId
from warning.api.schemas import NewTokenOut, Page, PolicyOut, TokenIn, TokenOut, UserIn, UserOut
from warning.review.stored_policy import current_policy

router = APIRouter(tags=["admin"])


@router.get("/users", response_model=Page[UserOut])
def users(db: Db, user: Admin, limit: Limit = 100, offset: Offset = 0) -> Page[UserOut]:
    """The users, by name."""
    rows = list_users(db)
    return Page.of(
        UserOut, rows[offset : offset + limit], total=len(rows), limit=limit, offset=offset
    )


@router.post("/users", response_model=UserOut, status_code=status.HTTP_201_CREATED)
def new_user(body: UserIn, db: Db, user: Admin) -> UserOut:
    created = add_user(
        db,
        name=body.name,
        role=body.role,
        password=body.password,
        actor=user.name,
        now=clock.now(),
    )
    return UserOut.model_validate(created)


@router.post("/users/{name}/disable", response_model=UserOut)
def disable(name: Annotated[Line, Path(max_length=64)], db: Db, user: Admin) -> UserOut:
    return UserOut.model_validate(disable_user(db, name=name, actor=user.name, now=clock.now()))


@router.get("/tokens", response_model=Page[TokenOut])
def tokens(db: Db, user: Admin, limit: Limit = 100, offset: Offset = 0) -> Page[TokenOut]:
    """The API tokens (never their secret), as listed by the accounts service."""
    rows = list_tokens(db)
    shown = [_token(token, name) for token, name in rows[offset : offset + limit]]
    return Page(items=shown, total=len(rows), limit=limit, offset=offset)


@router.post("/tokens", response_model=NewTokenOut, status_code=status.HTTP_201_CREATED)
def new_token(body: TokenIn, db: Db, user: Admin) -> NewTokenOut:
    """A token for a user; the response holds it, this once."""
    token, text = create_token(
        db,
        user_name=body.user,
        label=body.label,
        expires_days=body.expires_days,
        actor=user.name,
        now=clock.now(),
    )
    return NewTokenOut(**_token(token, body.user).model_dump(), token=text)


@router.delete("/tokens/{token_id}", response_model=TokenOut)
def revoke(token_id: RowId, db: Db, user: Admin) -> TokenOut:
    token = revoke_token(db, token_id=token_id, actor=user.name, now=clock.now())
    (row,) = [(t, n) for t, n in list_tokens(db) if t.id == token.id]
    return _token(*row)


def _token(token: ApiToken, user_name: str) -> TokenOut:
    return TokenOut(
        id=token.id,
        user=user_name,
        label=token.label,
        prefix=token.prefix,
        created_at=token.created_at,
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
        last_used_at=token.last_used_at,
    )


@router.get("/policy", response_model=PolicyOut)
def policy(db: Db, context: Context, user: Viewer) -> PolicyOut:
    """The review policy in force: the one the desk stored, else the settings'."""
    shown = current_policy(db, context.settings).as_dict()
    return PolicyOut.model_validate(shown)
