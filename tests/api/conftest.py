"""An API on a migrated store (SQLite, and PostgreSQL when configured) with three users."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from warning import clock
from warning.accounts import Role
from warning.accounts.service import add_user, create_token
from warning.api.app import create_app
from warning.catalog import load_catalog
from warning.context import ServiceContext
from warning.directory.models import Enterprise
from warning.reporting.reporters import add_reporter
from warning.settings import load_settings
from warning.store import make_engine, transaction

PASSWORDS = {"vera": "viewer-password-1", "otto": "operator-password-1", "ada": "admin-password-1"}
ENTERPRISE_A = "91450000U3DGRQUKW8"  # building materials (cement, flat glass)
ENTERPRISE_B = "91210000FW7UW3LNEC"  # chemicals


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


def add_enterprise(api: Api, credit_code: str, *, sector: str, name: str = "") -> None:
    """An enterprise of the directory (no contact)."""
    with transaction(api.factory) as session:
        session.add(
            Enterprise(
                name=name or f"企业{credit_code[-4:]}",
                credit_code=credit_code,
                sector=sector,
                created_at=clock.now(),
                updated_at=clock.now(),
            )
        )


def add_reporter_user(
    api: Api, name: str, credit_code: str = ENTERPRISE_A, *, sector: str = "building_materials"
) -> None:
    """A reporter for ``credit_code`` (the enterprise made if missing), with a token."""
    with transaction(api.factory) as session:
        exists = session.scalar(select(Enterprise.id).where(Enterprise.credit_code == credit_code))
    if exists is None:
        add_enterprise(api, credit_code, sector=sector)
    with transaction(api.factory) as session:
        add_reporter(
            session,
            name=name,
            password=f"{name}-password-1",
            credit_code=credit_code,
            actor="test",
            now=clock.now(),
        )
        _token, api.tokens[name] = create_token(
            session, user_name=name, label="test", expires_days=None, actor="test", now=clock.now()
        )
