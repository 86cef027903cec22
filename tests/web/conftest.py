"""The web app on a migrated store (SQLite, and PostgreSQL when configured) with a viewer, an
operator and an admin, and browsers (test clients) that log in as each."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from warning import clock
from warning.accounts import Role
from warning.accounts.service import add_user
from warning.catalog import load_catalog
from warning.context import ServiceContext
from warning.directory.models import Enterprise
from warning.reporting.reporters import add_reporter
from warning.settings import load_settings
from warning.store import make_engine, transaction
from warning.web.app import create_web_app

PASSWORDS = {"vera": "viewer-password-1", "otto": "operator-password-1", "ada": "admin-password-1"}
ROLES = {"vera": Role.VIEWER, "otto": Role.OPERATOR, "ada": Role.ADMIN}
REPORTER = "rita"  # reports for REPORTING_ENTERPRISE (building materials)
REPORTING_ENTERPRISE = "91450000U3DGRQUKW8"
PASSWORD_OF_REPORTER = "reporter-password-1"
PASSWORDS[REPORTER] = PASSWORD_OF_REPORTER
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Web:
    """The app, its store and a logged-in browser per user."""

    app: FastAPI
    context: ServiceContext
    factory: sessionmaker[Session]
    browsers: dict[str, TestClient] = field(default_factory=dict)

    def anonymous(self) -> TestClient:
        return TestClient(self.app, follow_redirects=False)

    def as_(self, name: str) -> TestClient:
        """A browser logged in as ``name`` (one per user, kept); the reporter and its
        enterprise are made on first use (the directory is otherwise empty)."""
        if name == REPORTER and name not in self.browsers:
            add_reporting_enterprise(self.factory)
        if name not in self.browsers:
            browser = self.anonymous()
            answer = login(browser, name, PASSWORDS[name])
            assert answer.status_code == 303, answer.text
            self.browsers[name] = browser
        return self.browsers[name]

    def csrf(self, name: str) -> str:
        """The CSRF token of ``name``'s session (from a page's meta tag)."""
        page = self.as_(name).get("/report" if name == REPORTER else "/admin")
        found = CSRF_META.search(page.text)
        assert found, page.text[:500]
        return found.group(1)

    def post(self, name: str, path: str, data: dict[str, Any]) -> Any:
        """A form post by ``name`` with their CSRF token."""
        return self.as_(name).post(path, data={"csrf_token": self.csrf(name), **data})


def add_reporting_enterprise(factory: sessionmaker[Session]) -> None:
    """The reporter's enterprise in the directory, and the reporter tied to it."""
    with transaction(factory) as session:
        now = clock.now()
        session.add(
            Enterprise(
                name="演示建材（Demo）",
                credit_code=REPORTING_ENTERPRISE,
                sector="building_materials",
                created_at=now,
                updated_at=now,
            )
        )
        session.flush()
        add_reporter(
            session,
            name=REPORTER,
            password=PASSWORD_OF_REPORTER,
            credit_code=REPORTING_ENTERPRISE,
            actor="test",
            now=now,
        )


def login(browser: TestClient, name: str, password: str) -> Any:
    """Log in through the form, as a browser does (the form's token and its cookie)."""
    form = browser.get("/login")
    token = FORM_TOKEN.search(form.text)
    assert token, form.text[:500]
    return browser.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": token.group(1), "next": "/"},
    )


@pytest.fixture
def web(factory: sessionmaker[Session], database_url: str) -> Iterator[Web]:
    settings = load_settings(database_url=database_url, as_of="2026-11-30")
    engine = make_engine(database_url)
    context = ServiceContext(settings, engine, factory, load_catalog())
    with transaction(factory) as session:
        for name, role in ROLES.items():
            add_user(
                session,
                name=name,
                role=role,
                password=PASSWORDS[name],
                actor="test",
                now=clock.now(),
            )
    app = create_web_app(context)
    yield Web(app, context, factory)
    engine.dispose()
