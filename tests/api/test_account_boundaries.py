"""Accounts at their exact limits: a token at its expiry instant, a password one character
short. Each once let a deliberate small bug through."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.api.conftest import Api
from warning.accounts import AccountError, Role
from warning.accounts.models import ApiToken, LoginAttempt, User, WebSession
from warning.accounts.service import (
    LAST_USED_EVERY,
    add_user,
    authenticate,
    create_token,
    disable_user,
    enable_user,
    ensure_user,
    list_tokens,
    revoke_token,
    set_password,
    user_for_token,
)
from warning.accounts.sessions import (
    KEEP_ATTEMPTS,
    KEEP_SESSIONS,
    LAST_SEEN_EVERY,
    Pruned,
    prune,
    session_user,
    set_language,
    start_session,
)
from warning.audit import AuditEntry
from warning.clock import FrozenClock, use_clock
from warning.store import aware, transaction

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
EXPIRES = START + timedelta(days=1)  # a one-day token made at START
MICROSECOND = timedelta(microseconds=1)


def test_a_token_is_refused_at_its_expiry_instant_and_valid_a_microsecond_before(
    api: Api,
) -> None:
    with transaction(api.factory) as session:
        _token, text = create_token(
            session, user_name="vera", label="short", expires_days=1, actor="test", now=START
        )
    header = {"Authorization": f"Bearer {text}"}
    with use_clock(FrozenClock(EXPIRES - MICROSECOND)):
        assert api.client.get("/api/v1/materials", headers=header).status_code == 200
    with use_clock(FrozenClock(EXPIRES)):
        refused = api.client.get("/api/v1/materials", headers=header)
        assert refused.status_code == 401 and "expired" in refused.json()["detail"]


def test_the_token_service_draws_the_same_line(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as session:
        add_user(
            session,
            name="vera",
            role=Role.VIEWER,
            password="viewer-password-1",
            actor="test",
            now=START,
        )
        _token, text = create_token(
            session, user_name="vera", label="short", expires_days=1, actor="test", now=START
        )
    with transaction(factory) as session:
        user = user_for_token(session, token=text, now=EXPIRES - MICROSECOND)
        assert user is not None and user.name == "vera"
        assert user_for_token(session, token=text, now=EXPIRES) is None


@pytest.mark.parametrize("short", ["", "x", "nine-char"])
def test_set_password_refuses_a_short_one_and_keeps_the_old(
    factory: sessionmaker[Session], short: str
) -> None:
    assert len(short) < 10
    with transaction(factory) as session:
        add_user(
            session, name="vera", role=Role.VIEWER, password="old-password-1", actor="t", now=START
        )
    with transaction(factory) as session:
        with pytest.raises(AccountError, match="at least 10 characters"):
            set_password(session, name="vera", password=short, actor="t", now=START)
        assert authenticate(session, name="vera", password="old-password-1") is not None
        assert authenticate(session, name="vera", password=short) is None


def test_set_password_takes_exactly_ten_characters(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as session:
        add_user(
            session, name="vera", role=Role.VIEWER, password="old-password-1", actor="t", now=START
        )
        set_password(session, name="vera", password="ten-chars!", actor="t", now=START)
        assert authenticate(session, name="vera", password="ten-chars!") is not None
        assert authenticate(session, name="vera", password="old-password-1") is None


def test_add_user_refuses_nine_characters_and_takes_ten(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as session:
        with pytest.raises(AccountError, match="at least 10 characters"):
            add_user(
                session, name="vera", role=Role.VIEWER, password="nine-char", actor="t", now=START
            )
        assert (
            add_user(
                session, name="vera", role=Role.VIEWER, password="ten-chars!", actor="t", now=START
            ).name
            == "vera"
        )


def test_prune_keeps_what_is_exactly_as_old_as_kept(factory: sessionmaker[Session]) -> None:
    now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    with transaction(factory) as session:
        user = add_user(
            session, name="vera", role=Role.VIEWER, password="old-password-1", actor="t", now=START
        )
        for age in (KEEP_ATTEMPTS, KEEP_ATTEMPTS + MICROSECOND):
            session.add(LoginAttempt(at=now - age, user_name="vera", address="a", succeeded=False))
        for label, ended, expires in (
            ("ended at the line", KEEP_SESSIONS, timedelta(0)),
            ("ended past it", KEEP_SESSIONS + MICROSECOND, timedelta(0)),
            ("expired at the line", None, KEEP_SESSIONS),
            ("expired past it", None, KEEP_SESSIONS + MICROSECOND),
        ):
            web, _cookie = start_session(
                session, user=user, address=label, now=now - timedelta(days=400), hours=1
            )
            web.ended_at = now - ended if ended is not None else None
            web.expires_at = now - expires if ended is None else now + timedelta(hours=1)
    with transaction(factory) as session:
        assert prune(session, now=now) == Pruned(attempts=1, sessions=2)
    with factory() as session:
        kept = set(session.scalars(select(WebSession.address)))
        (attempt,) = session.scalars(select(LoginAttempt.at))
    assert kept == {"ended at the line", "expired at the line"}
    assert aware(attempt) == now - KEEP_ATTEMPTS


def test_a_revoked_token_stops_working_and_the_revocation_is_audited(api: Api) -> None:
    with transaction(api.factory) as session:
        (token_id,) = [t.id for t, name in list_tokens(session) if name == "vera"]
        revoked = revoke_token(session, token_id=token_id, actor="ada", now=START)
        assert aware(revoked.revoked_at) == START
        with pytest.raises(AccountError, match=r"^no token 99999$"):
            revoke_token(session, token_id=99999, actor="ada", now=START)
    assert api.client.get("/api/v1/materials", headers=api.as_("vera")).status_code == 401
    with api.factory() as session:
        (entry,) = session.scalars(select(AuditEntry).where(AuditEntry.action == "token_revoked"))
    assert (entry.actor, entry.subject) == ("ada", f"token:{token_id}")
    assert json.loads(entry.after or "{}") == {"revoked_at": START.isoformat(sep=" ")}


def test_disabling_a_user_is_audited_once(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as session:
        add_user(
            session, name="vera", role=Role.VIEWER, password="old-password-1", actor="t", now=START
        )
        disable_user(session, name="vera", actor="ada", now=START)
        disable_user(session, name="vera", actor="ada", now=START)  # already: nothing more
        (entry,) = session.scalars(select(AuditEntry).where(AuditEntry.action == "user_disabled"))
        assert (entry.actor, entry.subject) == ("ada", "user:vera")
        assert json.loads(entry.before or "{}") == {"disabled": False}
        assert json.loads(entry.after or "{}") == {"disabled": True}


def test_a_web_session_ends_at_its_expiry_instant_and_its_last_seen_moves_on_the_minute(
    factory: sessionmaker[Session],
) -> None:
    with transaction(factory) as session:
        user = add_user(
            session,
            name="vera",
            role=Role.VIEWER,
            password="viewer-password-1",
            actor="t",
            now=START,
        )
        web, cookie = start_session(session, user=user, address="127.0.0.1", now=START, hours=8)
        web_id = web.id
    ends = START + timedelta(hours=8)
    with transaction(factory) as session:
        assert session_user(session, cookie=cookie, now=ends - MICROSECOND) is not None
        assert session_user(session, cookie=cookie, now=ends) is None  # at the instant: ended
        assert session_user(session, cookie="", now=START) is None
    # last seen is written at most every LAST_SEEN_EVERY: not before, exactly at it
    with transaction(factory) as session:
        session.get(WebSession, web_id).last_seen_at = START  # type: ignore[union-attr]
    with transaction(factory) as session:
        session_user(session, cookie=cookie, now=START + LAST_SEEN_EVERY - MICROSECOND)
    with factory() as session:
        seen = session.get(WebSession, web_id)
        assert seen is not None and aware(seen.last_seen_at) == START
    with transaction(factory) as session:
        session_user(session, cookie=cookie, now=START + LAST_SEEN_EVERY)
    with factory() as session:
        seen = session.get(WebSession, web_id)
        assert seen is not None and aware(seen.last_seen_at) == START + LAST_SEEN_EVERY


def test_ensure_user_makes_the_user_then_sets_its_role_and_password(
    factory: sessionmaker[Session],
) -> None:
    with transaction(factory) as session:
        made = ensure_user(
            session,
            name="ops",
            role=Role.OPERATOR,
            password="first-password-1",
            actor="demo",
            now=START,
        )
        assert (made.name, made.role) == ("ops", Role.OPERATOR)
    with transaction(factory) as session:
        assert authenticate(session, name="ops", password="first-password-1") is not None
        later = START + timedelta(hours=1)
        again = ensure_user(
            session,
            name="ops",
            role=Role.VIEWER,
            password="second-password-2",
            actor="demo",
            now=later,
        )
        assert again.role == Role.VIEWER
    with transaction(factory) as session:
        assert authenticate(session, name="ops", password="first-password-1") is None
        assert authenticate(session, name="ops", password="second-password-2") is not None
        actors = session.execute(
            select(AuditEntry.actor, AuditEntry.action, AuditEntry.at).order_by(AuditEntry.id)
        ).all()
    assert [(a, aware(at)) for a, _action, at in actors] == [
        ("demo", START),
        ("demo", START + timedelta(hours=1)),
    ]


def test_enabling_a_disabled_user_lets_them_in_again_audited_once(
    factory: sessionmaker[Session],
) -> None:
    later = START + timedelta(hours=1)
    with transaction(factory) as session:
        add_user(
            session,
            name="vera",
            role=Role.VIEWER,
            password="viewer-password-1",
            actor="t",
            now=START,
        )
        disable_user(session, name="vera", actor="ada", now=START)
        assert authenticate(session, name="vera", password="viewer-password-1") is None
    with transaction(factory) as session:
        enabled = enable_user(session, name="vera", actor="ada", now=later)
        assert enabled.disabled is False
        assert authenticate(session, name="vera", password="viewer-password-1") is not None
        enable_user(session, name="vera", actor="ada", now=later)  # enabled already: no entry
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "user_enabled")
        ).all()
        assert [(e.actor, e.subject, aware(e.at)) for e in entries] == [("ada", "user:vera", later)]
        assert (entries[0].before, entries[0].after) == (
            '{"disabled": true}',
            '{"disabled": false}',
        )
        with pytest.raises(AccountError):
            enable_user(session, name="nobody", actor="ada", now=later)


def test_a_token_is_made_for_an_enabled_user_audited_and_its_use_written_each_minute(
    factory: sessionmaker[Session],
) -> None:
    with transaction(factory) as session:
        add_user(
            session,
            name="vera",
            role=Role.VIEWER,
            password="viewer-password-1",
            actor="t",
            now=START,
        )
        token, text = create_token(
            session, user_name="vera", label="dashboard", expires_days=1, actor="ada", now=START
        )
        token_id = token.id
    assert text.startswith("wt_") and len(text) == len("wt_") + 43  # 32 random bytes, base64
    with factory() as session:
        stored = session.get(ApiToken, token_id)
        assert stored is not None and stored.label == "dashboard"
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "token_created")
        ).one()
        assert entry.actor == "ada" and json.loads(entry.after or "{}") == {
            "token_id": token_id,
            "label": "dashboard",
            "expires_at": str(EXPIRES),  # as the audit writes a datetime
        }
    for now, written in (
        (START, START),  # first use: written
        (START + LAST_USED_EVERY - MICROSECOND, START),  # within the minute: not again
        (START + LAST_USED_EVERY, START + LAST_USED_EVERY),  # at the minute: written
    ):
        with transaction(factory) as session:
            user = user_for_token(session, token=text, now=now)
            assert user is not None and user.name == "vera"
        with factory() as session:
            used = session.get(ApiToken, token_id)
            assert used is not None and aware(used.last_used_at) == written
    with transaction(factory) as session:
        disable_user(session, name="vera", actor="ada", now=START)
        with pytest.raises(AccountError, match="user 'vera' is disabled"):
            create_token(
                session, user_name="vera", label="x", expires_days=1, actor="ada", now=START
            )


def test_a_language_a_page_cannot_show_is_refused_naming_the_choices(
    factory: sessionmaker[Session],
) -> None:
    with transaction(factory) as session:
        user = add_user(
            session,
            name="vera",
            role=Role.VIEWER,
            password="viewer-password-1",
            actor="t",
            now=START,
        )
        with pytest.raises(ValueError) as refused:
            set_language(session, user_id=user.id, language="fr")
        assert str(refused.value) == "language 'fr': expected one of zh, en"
        set_language(session, user_id=user.id, language="en")
    with factory() as session:
        assert session.scalars(select(User.language).where(User.name == "vera")).one() == "en"
