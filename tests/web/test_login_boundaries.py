"""Signing in and out at the edges: a disabled user's right password, successful logins and
the throttle, a session cookie after logout on the API. Each once let a deliberate small bug
through."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.web.conftest import PASSWORDS, Web, login
from warning.accounts.models import LoginAttempt, WebSession
from warning.accounts.service import disable_user
from warning.accounts.sessions import PER_ACCOUNT, PER_ADDRESS, LoginThrottled, end_session
from warning.accounts.sessions import login as service_login
from warning.api.deps import SESSION_COOKIE
from warning.clock import FrozenClock, use_clock
from warning.store import transaction

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ADDRESS = "192.0.2.7"


def attempts(factory: sessionmaker[Session], name: str) -> list[bool]:
    with factory() as session:
        return list(
            session.scalars(
                select(LoginAttempt.succeeded)
                .where(LoginAttempt.user_name == name)
                .order_by(LoginAttempt.id)
            )
        )


def test_a_disabled_user_with_the_right_password_is_refused_and_recorded_as_a_failure(
    web: Web,
) -> None:
    with transaction(web.factory) as session:
        disable_user(session, name="vera", actor="test", now=START)
    browser = web.anonymous()
    answer = login(browser, "vera", PASSWORDS["vera"])
    assert answer.status_code == 401
    assert SESSION_COOKIE not in answer.cookies and SESSION_COOKIE not in browser.cookies
    assert attempts(web.factory, "vera") == [False]
    assert browser.get("/").status_code == 303  # still nobody


def test_successful_logins_do_not_count_towards_the_throttle(web: Web) -> None:
    with use_clock(FrozenClock(START)):  # one window: every attempt would count
        for _ in range(PER_ACCOUNT + 1):
            assert login(web.anonymous(), "otto", PASSWORDS["otto"]).status_code == 303
        assert login(web.anonymous(), "otto", "wrong-password").status_code == 401  # not 429
        assert login(web.anonymous(), "otto", PASSWORDS["otto"]).status_code == 303
    assert attempts(web.factory, "otto") == [True] * (PER_ACCOUNT + 1) + [False, True]


def test_successful_logins_from_one_address_do_not_count_either(
    factory: sessionmaker[Session],
) -> None:
    with transaction(factory) as session:  # a busy office behind one address, all signed in
        for attempt in range(PER_ADDRESS):
            session.add(
                LoginAttempt(at=START, user_name=f"user{attempt}", address=ADDRESS, succeeded=True)
            )
    with transaction(factory) as session:
        try:
            refused = service_login(
                session, name="nobody", password="wrong", address=ADDRESS, now=START, hours=8
            )
        except LoginThrottled as throttled:
            raise AssertionError(f"successful logins were counted: {throttled}") from None
        assert refused is None
    with transaction(factory) as session:  # the same number of failures is refused
        for attempt in range(PER_ADDRESS):
            session.add(
                LoginAttempt(at=START, user_name=f"user{attempt}", address=ADDRESS, succeeded=False)
            )
    with transaction(factory) as session, pytest.raises(LoginThrottled):
        service_login(session, name="nobody", password="wrong", address=ADDRESS, now=START, hours=8)


def test_the_api_refuses_a_session_cookie_after_logout(web: Web) -> None:
    browser = web.as_("vera")
    cookie = browser.cookies.get(SESSION_COOKIE) or ""
    assert cookie
    assert browser.get("/api/v1/materials").status_code == 200
    assert browser.post("/logout", data={"csrf_token": web.csrf("vera")}).status_code == 303
    stale = web.anonymous()
    stale.cookies.set(SESSION_COOKIE, cookie)
    refused = stale.get("/api/v1/materials")
    assert refused.status_code == 401
    assert stale.get("/api/v1/review-items").status_code == 401


def test_the_api_refuses_the_session_cookie_of_a_disabled_user(web: Web) -> None:
    browser = web.as_("vera")
    assert browser.get("/api/v1/materials").status_code == 200
    with transaction(web.factory) as session:
        disable_user(session, name="vera", actor="test", now=START)
    assert browser.get("/api/v1/materials").status_code == 401


def test_logging_out_an_unknown_or_ended_session_changes_nothing(
    factory: sessionmaker[Session],
) -> None:
    with transaction(factory) as session:
        end_session(session, cookie="never-issued", now=START)  # no error, nothing to end
    with transaction(factory) as session:
        assert session.scalars(select(WebSession)).all() == []
