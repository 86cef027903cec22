"""Old login attempts and finished web sessions are deleted; recent and live ones stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from warning.accounts import Role
from warning.accounts.models import LoginAttempt, WebSession
from warning.accounts.service import add_user
from warning.accounts.sessions import (
    KEEP_ATTEMPTS,
    KEEP_SESSIONS,
    Pruned,
    prune,
    start_session,
)
from warning.store import aware, transaction

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def test_prune_forgets_what_is_past_keeping_and_nothing_else(
    factory: sessionmaker[Session],
) -> None:
    day = timedelta(days=1)
    with transaction(factory) as session:
        user = add_user(
            session,
            name="vera",
            role=Role.VIEWER,
            password="viewer-password-1",
            actor="test",
            now=NOW - 400 * day,
        )
        for age in (KEEP_ATTEMPTS + day, KEEP_ATTEMPTS - day, timedelta(minutes=5)):
            session.add(
                LoginAttempt(at=NOW - age, user_name="vera", address="10.0.0.1", succeeded=False)
            )
        cases = {  # label: (started this long ago, lasting hours, ended this long ago)
            "ended long ago": (KEEP_SESSIONS + 5 * day, 12, KEEP_SESSIONS + 4 * day),
            "expired long ago": (KEEP_SESSIONS + 5 * day, 12, None),
            "ended lately": (KEEP_SESSIONS - 5 * day, 12, KEEP_SESSIONS - 4 * day),
            "live": (timedelta(hours=1), 12, None),
        }
        for label, (started, hours, ended) in cases.items():
            web, _cookie = start_session(
                session, user=user, address=label, now=NOW - started, hours=hours
            )
            web.ended_at = NOW - ended if ended else None

    with transaction(factory) as session:
        pruned = prune(session, now=NOW)
    assert (pruned.attempts, pruned.sessions) == (1, 2)
    with factory() as session:
        ages = sorted(NOW - (aware(at) or NOW) for at in session.scalars(select(LoginAttempt.at)))
        kept = set(session.scalars(select(WebSession.address)))
    assert ages == [timedelta(minutes=5), KEEP_ATTEMPTS - day]
    assert kept == {"ended lately", "live"}
    with transaction(factory) as session:
        assert prune(session, now=NOW) == Pruned(0, 0)  # nothing more to forget
        assert session.scalar(select(func.count()).select_from(WebSession)) == 2
