"""Users and API tokens: adding, listing, disabling, authenticating. Every change is audited,
and no change leaves the service without an enabled admin.

Passwords are hashed with argon2id (argon2-cffi); a token is 32 random bytes shown once and
stored as its SHA-256 (a token is high-entropy, so a fast hash is safe and keeps each API
request cheap). Neither is ever logged or stored in clear.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from functools import cache
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from warning.accounts.models import ApiToken, Role, User
from warning.audit import record
from warning.errors import ErrorKind, NotFound, Refused
from warning.store import aware

NAME: Final = re.compile(r"^[a-z][a-z0-9_.-]{1,63}$")
MIN_PASSWORD: Final = 10
TOKEN_PREFIX: Final = "wt_"
LAST_USED_EVERY: Final = timedelta(minutes=1)  # write last_used_at at most this often
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """A hash to verify against when the user does not exist, so a refusal takes as long as a
    wrong password. Made on first use: hashing costs ~0.1 s, which every CLI start would pay."""
    return _hasher.hash("not a real password, for constant-time refusals")


class AccountError(Refused, ValueError):
    """A user or token request that cannot be done; the message says why."""


class AccountNotFound(AccountError, NotFound):
    """No such user or token."""

    kind = ErrorKind.NOT_FOUND


def add_user(
    session: Session, *, name: str, role: Role, password: str, actor: str, now: datetime
) -> User:
    """Create a user; :class:`AccountError` if the name is taken or malformed or the
    password too short."""
    if not NAME.match(name):
        raise AccountError(
            f"user name {name!r}: expected 2-64 lower-case letters, digits, '_', '.' or '-', "
            "starting with a letter"
        )
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        raise AccountError(f"user {name!r} exists already")
    user = User(name=name, role=Role(role), password_hash=_hasher.hash(password), created_at=now)
    session.add(user)
    session.flush()
    record(
        session,
        at=now,
        actor=actor,
        action="user_added",
        subject=f"user:{name}",
        after={"name": name, "role": str(role)},
    )
    return user


def get_user(session: Session, *, name: str) -> User:
    """The user named ``name``; :class:`AccountError` when there is none."""
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise AccountNotFound(f"no user {name!r}")
    return user


def list_users(session: Session) -> list[User]:
    """Every user, by name."""
    return list(session.scalars(select(User).order_by(User.name)))


def disable_user(session: Session, *, name: str, actor: str, now: datetime) -> User:
    """Disable a user: their password and tokens stop working. :class:`AccountError` for the
    last enabled admin (nobody could manage the accounts any more)."""
    user = get_user(session, name=name)
    if not user.disabled:
        keep_an_admin(session, user, role=user.role, disabled=True)
        user.disabled = True
        record(
            session,
            at=now,
            actor=actor,
            action="user_disabled",
            subject=f"user:{name}",
            before={"disabled": False},
            after={"disabled": True},
        )
    return user


def enable_user(session: Session, *, name: str, actor: str, now: datetime) -> User:
    """Enable a disabled user again: their password and tokens work again."""
    user = get_user(session, name=name)
    if user.disabled:
        user.disabled = False
        record(
            session,
            at=now,
            actor=actor,
            action="user_enabled",
            subject=f"user:{name}",
            before={"disabled": True},
            after={"disabled": False},
        )
    return user


def keep_an_admin(session: Session, user: User, *, role: Role, disabled: bool) -> None:
    """:class:`AccountError` when ``user`` is the last enabled admin and the change (to
    ``role``, ``disabled``) would leave none. The enabled admins are locked (PostgreSQL) so
    that two admins disabling each other at once cannot both succeed."""
    if user.role != Role.ADMIN or user.disabled or (role == Role.ADMIN and not disabled):
        return
    admins = session.scalars(
        select(User.id)
        .where(User.role == Role.ADMIN, User.disabled.is_(False))
        .order_by(User.id)
        .with_for_update()
    ).all()
    if [user.id] == list(admins):
        raise AccountError(
            f"user {user.name!r} is the last enabled admin: add or enable another admin first"
        )


def set_password(session: Session, *, name: str, password: str, actor: str, now: datetime) -> User:
    """Give a user a new password (and enable them)."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    user = get_user(session, name=name)
    user.password_hash, user.disabled = _hasher.hash(password), False
    record(session, at=now, actor=actor, action="password_set", subject=f"user:{name}")
    return user


def ensure_user(
    session: Session, *, name: str, role: Role, password: str, actor: str, now: datetime
) -> User:
    """The user ``name`` with ``role`` and this password, made or updated."""
    existing = session.scalar(select(User).where(User.name == name))
    if existing is None:
        return add_user(session, name=name, role=role, password=password, actor=actor, now=now)
    keep_an_admin(session, existing, role=Role(role), disabled=False)
    existing.role = Role(role)
    return set_password(session, name=name, password=password, actor=actor, now=now)


def authenticate(session: Session, *, name: str, password: str) -> User | None:
    """The enabled user with this name and password, else None (same work either way)."""
    user = session.scalar(select(User).where(User.name == name))
    try:
        _hasher.verify(user.password_hash if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or user.disabled:
        return None
    return user


def create_token(
    session: Session,
    *,
    user_name: str,
    label: str,
    expires_days: int | None,
    actor: str,
    now: datetime,
) -> tuple[ApiToken, str]:
    """A new token for ``user_name``: the stored row and the token text, shown only now."""
    user = get_user(session, name=user_name)
    if user.disabled:
        raise AccountError(f"user {user_name!r} is disabled")
    if expires_days is not None and expires_days <= 0:
        raise AccountError("--expires: expected a positive number of days")
    text = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        label=label,
        token_hash=token_hash(text),
        prefix=text[:10],
        created_at=now,
        expires_at=now + timedelta(days=expires_days) if expires_days else None,
    )
    session.add(token)
    session.flush()
    record(
        session,
        at=now,
        actor=actor,
        action="token_created",
        subject=f"user:{user_name}",
        after={"token_id": token.id, "label": label, "expires_at": token.expires_at},
    )
    return token, text


def revoke_token(session: Session, *, token_id: int, actor: str, now: datetime) -> ApiToken:
    """Revoke a token by id; :class:`AccountError` when there is none."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise AccountNotFound(f"no token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = now
        record(
            session,
            at=now,
            actor=actor,
            action="token_revoked",
            subject=f"token:{token_id}",
            after={"revoked_at": now},
        )
    return token


def list_tokens(session: Session, *, user_name: str | None = None) -> list[tuple[ApiToken, str]]:
    """Tokens with their user's name (of one user when given), newest first."""
    query = select(ApiToken, User.name).join(User, User.id == ApiToken.user_id)
    if user_name is not None:
        query = query.where(User.name == user_name)
    return [(token, name) for token, name in session.execute(query.order_by(ApiToken.id.desc()))]


def user_for_token(session: Session, *, token: str, now: datetime) -> User | None:
    """The enabled user whose valid (not revoked, not expired) token this is, else None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == token_hash(token))
    ).first()
    if row is None:
        return None
    stored, user = row
    expires = aware(stored.expires_at)
    if stored.revoked_at is not None or user.disabled or (expires is not None and expires <= now):
        return None
    used = aware(stored.last_used_at)
    if used is None or now - used >= LAST_USED_EVERY:
        stored.last_used_at = now
    return user


def token_hash(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()
