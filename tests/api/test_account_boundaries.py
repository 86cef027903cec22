"""Accounts at their exact limits: a token at its expiry instant, a password one character
short. Each once let a deliberate small bug through."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.api.conftest import Api
from warning.accounts import AccountError, Role
from warning.accounts.service import (
    add_user,
    authenticate,
    create_token,
    set_password,
    user_for_token,
)
from warning.clock import FrozenClock, use_clock
from warning.store import transaction

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
