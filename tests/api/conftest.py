"""An API on a migrated store (SQLite, and PostgreSQL when configured) with three users."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from warning import clock
from warning.accounts import Role
from warning.accounts.service import add_user, create_token
from warning.api.app import create_app
from warning.catalog import load_catalog
from warning.context import ServiceContext
from warning.settings import load_settings
from warning.store import make_engine, transaction

PASSWORDS = {"vera": "viewer-password-1", "otto": "operator-password-1", "ada": "admin-password-1"}


@dataclass
class Api:
    client: TestClient
    factory: sessionmaker[Session]
    tokens: dict[str, str]  # user name -> token

    def as_(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}


@pytest.fixture
def api(factory: sessionmaker[Session], database_url: str) -> Iterator[Api]:
    settings = load_settings(database_url=database_url, secret_key="api-test-secret")
    engine = make_engine(database_url)
    context = ServiceContext(settings, engine, factory, load_catalog())
    tokens = {}
    with transaction(factory) as session:
        for name, role in (("vera", Role.VIEWER), ("otto", Role.OPERATOR), ("ada", Role.ADMIN)):
            add_user(
                session,
                name=name,
                role=role,
                password=PASSWORDS[name],
                actor="test",
                now=clock.now(),
            )
            _token, tokens[name] = create_token(
                session,
                user_name=name,
                label="test",
                expires_days=None,
                actor="test",
                now=clock.now(),
            )
    with TestClient(create_app(context)) as client:
        yield Api(client, factory, tokens)
    engine.dispose()
