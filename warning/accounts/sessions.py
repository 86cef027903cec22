"""Web sign-in: password logins limited per account and per address, browser sessions, and
each user's language.

A session's cookie is 32 random bytes shown to the browser once and stored as its SHA-256
(like an API token); the session also holds the CSRF token its forms and cookie-authenticated
API calls must carry. Logout, expiry and disabling the user end it. Neither the password nor
the cookie is ever logged or stored in clear.

Login attempts are kept (``login_attempt``): an account with :data:`PER_ACCOUNT` failures, or an
address with :data:`PER_ADDRESS` failures, within :data:`WINDOW` is refused without checking the
password until the window has moved on (:class:`LoginThrottled` says when).

Neither table grows for ever: :func:`prune` (run hourly by ``warning serve``) deletes login
attempts older than :data:`KEEP_ATTEMPTS` and sessions that ended or expired more than
:data:`KEEP_SESSIONS` ago; who did what stays in the audit log.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import (
    Boolean,
    DateTime,
    Integer,
    String,
    column,
    delete,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from warning.accounts.models import LoginAttempt, Role, User, WebSession
from warning.accounts.service import authenticate, token_hash
from warning.store import aware

WINDOW: Final = timedelta(minutes=15)
PER_ACCOUNT: Final = 5  # failed logins of one account within WINDOW
PER_ADDRESS: Final = 20  # failed logins from one address within WINDOW
LAST_SEEN_EVERY: Final = timedelta(minutes=1)  # write last_seen_at at most this often
KEEP_ATTEMPTS: Final = timedelta(days=90)  # login attempts, for looking into a break-in
KEEP_SESSIONS: Final = timedelta(days=30)  # sessions after they ended or expired
LANGUAGES: Final = ("zh", "en")


class LoginThrottled(Exception):
    """Too many failed logins for this account or from this address; ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many failed logins; try again in {retry_after} s")


@dataclass(frozen=True)
class SignedIn:
    """A user with the session they signed in with, its cookie value (to hand the browser
    once) and CSRF token."""

    user: User
    session: WebSession
    cookie: str


def login(
    session: Session,
    *,
    name: str,
    password: str,
    address: str,
    now: datetime,
    hours: float,
) -> SignedIn | None:
    """Check the password and start a session of ``hours``; None for a wrong name or password.

    :class:`LoginThrottled` before any password check when the account or the address has
    too many recent failures. Every checked attempt is recorded.
    """
    name, address = name.strip()[:64], address[:64]
    _refuse_if_throttled(session, name=name, address=address, now=now)
    user = authenticate(session, name=name, password=password)
    session.add(LoginAttempt(at=now, user_name=name, address=address, succeeded=user is not None))
    if user is None:
        return None
    web, cookie = start_session(session, user=user, address=address, now=now, hours=hours)
    return SignedIn(user, web, cookie)


def _refuse_if_throttled(session: Session, *, name: str, address: str, now: datetime) -> None:
    since = now - WINDOW
    for who, value, limit in (
        (LoginAttempt.user_name, name, PER_ACCOUNT),
        (LoginAttempt.address, address, PER_ADDRESS),
    ):
        failures = list(
            session.scalars(
                select(LoginAttempt.at)
                .where(who == value, LoginAttempt.at > since, LoginAttempt.succeeded.is_(False))
                .order_by(LoginAttempt.at.desc())
                .limit(limit)
            )
        )
        if len(failures) >= limit:
            oldest = aware(failures[-1]) or now
            raise LoginThrottled(max(1, math.ceil((oldest + WINDOW - now).total_seconds())))


def start_session(
    session: Session, *, user: User, address: str, now: datetime, hours: float
) -> tuple[WebSession, str]:
    """A new session for ``user``: the stored row and the cookie value, shown only now."""
    cookie = secrets.token_urlsafe(32)
    web = WebSession(
        user_id=user.id,
        token_hash=token_hash(cookie),
        csrf_token=secrets.token_urlsafe(32),
        address=address[:64],
        created_at=now,
        expires_at=now + timedelta(hours=hours),
        last_seen_at=now,
    )
    session.add(web)
    session.flush()
    return web, cookie


def session_user(session: Session, *, cookie: str, now: datetime) -> tuple[User, WebSession] | None:
    """The enabled user of a live session (not ended, not expired) with this cookie, else None."""
    if not cookie:
        return None
    row = session.execute(
        select(User, WebSession)
        .join(WebSession, WebSession.user_id == User.id)
        .where(WebSession.token_hash == token_hash(cookie))
    ).first()
    if row is None:
        return None
    user, web = row
    expires = aware(web.expires_at)
    if web.ended_at is not None or user.disabled or expires is None or expires <= now:
        return None
    seen = aware(web.last_seen_at)
    if seen is None or now - seen >= LAST_SEEN_EVERY:
        web.last_seen_at = now
    return user, web


@dataclass(frozen=True)
class Browser:
    """A live session as the pages need it: the user's id, name, role and language, and the
    session's CSRF token (plain values, no ORM objects)."""

    session_id: int
    user_id: int
    name: str
    role: Role
    language: str
    csrf_token: str
    expires_at: datetime


# Every page view starts here, so the lookup is plain SQL with typed result columns: it
# skips the statement building and object loading an ORM query costs on each request.
_BROWSER = text(
    "SELECT s.id, s.csrf_token, s.expires_at, s.ended_at, s.last_seen_at, "
    "u.id, u.name, u.role, u.language, u.disabled "
    "FROM web_session s JOIN app_user u ON u.id = s.user_id WHERE s.token_hash = :token_hash"
).columns(
    column("session_id", Integer),
    column("csrf_token", String),
    column("expires_at", DateTime(timezone=True)),
    column("ended_at", DateTime(timezone=True)),
    column("last_seen_at", DateTime(timezone=True)),
    column("user_id", Integer),
    column("name", String),
    column("role", String),
    column("language", String),
    column("disabled", Boolean),
)


def signed_in(session: Session, *, cookie: str, now: datetime) -> Browser | None:
    """The live session (not ended, not expired, its user enabled) of this cookie, else None.
    Same rules as :func:`session_user`, read in one plain query."""
    if not cookie:
        return None
    row = session.execute(_BROWSER, {"token_hash": token_hash(cookie)}).first()
    if row is None:
        return None
    expires = aware(row.expires_at)
    if row.ended_at is not None or row.disabled or expires is None or expires <= now:
        return None
    seen = aware(row.last_seen_at)
    if seen is None or now - seen >= LAST_SEEN_EVERY:
        session.execute(
            update(WebSession).where(WebSession.id == row.session_id).values(last_seen_at=now)
        )
    return Browser(
        row.session_id,
        row.user_id,
        row.name,
        Role(row.role),
        row.language,
        row.csrf_token,
        expires,
    )


def end_session(session: Session, *, cookie: str, now: datetime) -> None:
    """Log out: the session with this cookie stops working (nothing happens without one)."""
    web = session.scalar(select(WebSession).where(WebSession.token_hash == token_hash(cookie)))
    if web is not None and web.ended_at is None:
        web.ended_at = now


def set_language(session: Session, *, user_id: int, language: str) -> None:
    """Remember the language a user reads the pages in (``zh`` or ``en``)."""
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r}: expected one of {', '.join(LANGUAGES)}")
    session.execute(
        update(User).where(User.id == user_id, User.language != language).values(language=language)
    )


@dataclass(frozen=True)
class Pruned:
    attempts: int
    sessions: int


def prune(session: Session, *, now: datetime) -> Pruned:
    """Delete login attempts older than :data:`KEEP_ATTEMPTS` and sessions that ended or
    expired more than :data:`KEEP_SESSIONS` before ``now``; how many of each."""
    attempts = session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - KEEP_ATTEMPTS))
    before = now - KEEP_SESSIONS
    sessions = session.execute(
        delete(WebSession).where(or_(WebSession.ended_at < before, WebSession.expires_at < before))
    )
    return Pruned(attempts.rowcount or 0, sessions.rowcount or 0)  # type: ignore[attr-defined]
