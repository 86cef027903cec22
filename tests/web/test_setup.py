"""The first admin made from the web (``/setup``): only with the setup code from the log, only
while the store has no user, and then the new admin is signed in and audited."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from warning.accounts import Role, User
from warning.audit.models import AuditEntry
from warning.catalog import load_catalog
from warning.context import ServiceContext
from warning.settings import load_settings
from warning.store import make_engine
from warning.web.app import create_web_app
from warning.web.routes.setup import announce_setup, setup_code

KEY = "setup-test-secret-key"
FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "first-admin-password"


@pytest.fixture
def fresh(
    factory: sessionmaker[Session], database_url: str, tmp_path: Path
) -> Iterator[tuple[TestClient, ServiceContext]]:
    """The web app on a store with no user at all."""
    settings = load_settings(database_url=database_url, secret_key=KEY, var_dir=tmp_path)
    context = ServiceContext(settings, make_engine(database_url), factory, load_catalog())
    yield TestClient(create_web_app(context), follow_redirects=False), context
    context.engine.dispose()


def submit(browser: TestClient, **fields: str) -> object:
    form = browser.get("/setup")
    assert form.status_code == 200, form.text[:300]
    token = FORM_TOKEN.search(form.text)
    assert token
    data = {"code": setup_code(KEY), "name": "ada", "password": PASSWORD, "again": PASSWORD}
    return browser.post("/setup", data={"csrf_token": token.group(1), **data, **fields})


def users(factory: sessionmaker[Session]) -> list[tuple[str, Role]]:
    with factory() as session:
        return [(u.name, u.role) for u in session.scalars(select(User).order_by(User.id))]


def test_the_setup_code_is_the_same_in_every_replica_and_differs_by_key() -> None:
    assert setup_code(KEY) == setup_code(KEY)
    assert re.fullmatch(r"[a-z2-7]{16}", setup_code(KEY))
    assert setup_code(KEY) != setup_code(KEY + "x")


def test_with_no_user_login_leads_to_setup_in_chinese(
    fresh: tuple[TestClient, ServiceContext],
) -> None:
    browser, _context = fresh
    answer = browser.get("/login")
    assert (answer.status_code, answer.headers["location"]) == (303, "/setup")
    page = browser.get("/setup")
    assert page.status_code == 200 and "首个管理员" in page.text and "设置码" in page.text


@pytest.mark.parametrize(
    ("fields", "status", "says"),
    [
        ({"code": "wrong-code-123456"}, 403, "设置码不正确"),
        ({"code": ""}, 403, "设置码不正确"),
        ({"again": PASSWORD + "x"}, 422, "两次输入的密码不一致"),
        ({"password": "short", "again": "short"}, 422, "密码至少 10 个字符"),
        ({"name": "Ada Admin"}, 422, "用户名须为"),
    ],
    ids=["wrong code", "no code", "passwords differ", "short password", "bad name"],
)
def test_a_refused_setup_makes_no_user(
    fresh: tuple[TestClient, ServiceContext],
    factory: sessionmaker[Session],
    fields: dict[str, str],
    status: int,
    says: str,
) -> None:
    browser, _context = fresh
    answer = submit(browser, **fields)
    assert answer.status_code == status  # type: ignore[attr-defined]
    assert says in answer.text  # type: ignore[attr-defined]
    assert users(factory) == []


def test_a_setup_without_its_csrf_token_is_refused(
    fresh: tuple[TestClient, ServiceContext], factory: sessionmaker[Session]
) -> None:
    browser, _context = fresh
    data = {"code": setup_code(KEY), "name": "ada", "password": PASSWORD, "again": PASSWORD}
    answer = browser.post("/setup", data={**data, "csrf_token": "forged"})
    assert answer.status_code == 403
    assert users(factory) == []


def test_the_first_admin_is_made_signed_in_and_audited_then_setup_is_gone(
    fresh: tuple[TestClient, ServiceContext], factory: sessionmaker[Session]
) -> None:
    browser, _context = fresh
    answer = submit(browser, code=setup_code(KEY).upper())  # as typed from the log, any case
    assert (answer.status_code, answer.headers["location"]) == (303, "/")  # type: ignore[attr-defined]
    assert users(factory) == [("ada", Role.ADMIN)]
    assert browser.get("/admin").status_code == 200  # signed in (the user is the admin above)
    with factory() as session:
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "user_added")).all()
    assert [(a.actor, a.subject) for a in audit] == [("setup", "user:ada")]
    # from now on /setup is no page at all, for anyone, with the right code too
    stranger = TestClient(browser.app, follow_redirects=False)
    assert stranger.get("/setup").status_code == 404
    login_form = stranger.get("/login")
    assert login_form.status_code == 200  # the login form again, with its token and cookie
    token = FORM_TOKEN.search(login_form.text)
    assert token
    again = stranger.post(
        "/setup",
        data={
            "csrf_token": token.group(1),  # a valid token: the refusal is the 404 alone
            "code": setup_code(KEY),
            "name": "eve",
            "password": PASSWORD,
            "again": PASSWORD,
        },
    )
    assert again.status_code == 404
    assert users(factory) == [("ada", Role.ADMIN)]


def test_serve_logs_the_setup_code_only_while_there_is_no_user(
    fresh: tuple[TestClient, ServiceContext],
    caplog: pytest.LogCaptureFixture,
) -> None:
    browser, context = fresh
    with caplog.at_level(logging.WARNING, logger="warning.web.routes.setup"):
        announce_setup(context)
    assert f"/setup with the setup code {setup_code(KEY)}" in caplog.text
    caplog.clear()
    assert submit(browser).status_code == 303  # type: ignore[attr-defined]
    with caplog.at_level(logging.WARNING, logger="warning.web.routes.setup"):
        announce_setup(context)
    assert setup_code(KEY) not in caplog.text
