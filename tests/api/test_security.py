"""Who may do what: every route of the app, tokens that no longer count, secrets kept secret."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import inspect, text

from tests.api.conftest import PASSWORDS, Api
from warning.accounts.service import create_token
from warning.clock import FrozenClock, use_clock
from warning.store import transaction

# unsubscribe and a warning's public page: a signed token is the proof, not a login
# /readyz and /metrics: for the platform (a setting may restrict /metrics by address)
OPEN = {
    "/healthz",
    "/readyz",
    "/metrics",
    "/api/v1/openapi.json",
    "/unsubscribe",
    "/w/not-a-signed-token",
}
SAMPLE_PARAMS = {
    "token": "not-a-signed-token",
    "material_id": "copper",
    "item_id": "1",
    "silence_id": "1",
    "token_id": "1",
    "name": "vera",
    "report_id": "1",
}


def routes(api: Api) -> list[tuple[str, str]]:
    """(method, concrete path) of every route the app has, path parameters filled in."""
    found = []
    for route in iter_route_contexts(api.client.app.routes):  # type: ignore[attr-defined]
        path = route.path
        methods = sorted(route.methods or {"GET"})
        concrete = re.sub(r"\{(\w+)\}", lambda m: SAMPLE_PARAMS[m.group(1)], path)
        found += [(method, concrete) for method in methods if method != "HEAD"]
    return found


def test_the_walk_covers_the_api(api: Api) -> None:
    walked = routes(api)
    assert len(walked) >= 24 and ("POST", "/api/v1/review-items/1/approve") in walked
    assert {path for _method, path in walked} >= OPEN


def test_anonymous_gets_401_everywhere_but_health_and_the_openapi_document(api: Api) -> None:
    for method, path in routes(api):
        answer = api.client.request(method, path)
        if path in OPEN:
            assert answer.status_code != 401, (method, path)
        else:
            assert answer.status_code == 401, (method, path, answer.status_code)
            assert answer.json()["detail"] and answer.headers["www-authenticate"] == "Bearer"


def test_a_bad_token_gets_401(api: Api) -> None:
    for header in ("Bearer wt_not-a-token", "Bearer ", "Basic dmVyYTp4", "bearer"):
        answer = api.client.get("/api/v1/materials", headers={"Authorization": header})
        assert answer.status_code == 401, header


def test_a_viewer_gets_403_on_every_action(api: Api) -> None:
    actions = [
        (m, p) for m, p in routes(api) if m in {"POST", "PUT", "PATCH", "DELETE"} and p not in OPEN
    ]
    assert len(actions) >= 9
    for method, path in actions:
        answer = api.client.request(method, path, json={}, headers=api.as_("vera"))
        assert answer.status_code == 403, (method, path, answer.status_code)


def test_an_operator_gets_403_on_admin_routes(api: Api) -> None:
    admin_only = [
        ("GET", "/api/v1/users"),
        ("POST", "/api/v1/tokens"),
        ("DELETE", "/api/v1/tokens/1"),
        ("POST", "/api/v1/users/vera/disable"),
    ]
    for method, path in admin_only:
        assert api.client.request(method, path, json={}, headers=api.as_("otto")).status_code == 403


def test_an_expired_token_gets_401(api: Api) -> None:
    start = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    with transaction(api.factory) as session:
        _token, text_ = create_token(
            session, user_name="vera", label="short", expires_days=1, actor="test", now=start
        )
    header = {"Authorization": f"Bearer {text_}"}
    with use_clock(FrozenClock(start + timedelta(hours=23))):
        assert api.client.get("/api/v1/materials", headers=header).status_code == 200
    with use_clock(FrozenClock(start + timedelta(days=1, seconds=1))):
        assert api.client.get("/api/v1/materials", headers=header).status_code == 401


def test_passwords_and_tokens_are_nowhere_in_clear(
    api: Api, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    made = api.client.post(
        "/api/v1/users",
        json={"name": "li.wei", "role": "operator", "password": "correct-horse-battery"},
        headers=api.as_("ada"),
    )
    token = api.client.post(
        "/api/v1/tokens", json={"user": "li.wei"}, headers=api.as_("ada")
    ).json()["token"]
    api.client.get("/api/v1/materials", headers={"Authorization": f"Bearer {token}"})
    assert made.status_code == 201
    secrets = [*PASSWORDS.values(), "correct-horse-battery", token, *api.tokens.values()]
    with api.factory() as session:
        connection = session.connection()
        dump = " ".join(
            repr(tuple(row))
            for table in inspect(connection).get_table_names()
            for row in connection.execute(text(f'SELECT * FROM "{table}"'))
        )
    logged = caplog.text + capsys.readouterr().out
    for secret in secrets:
        assert secret not in dump
        assert secret not in logged
    assert "$argon2id$" in dump  # what is stored instead
