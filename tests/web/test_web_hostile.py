"""Hostile but realistic requests to the whole web app (pages, forms and the API), walked from
its route table: every integer and text parameter is bounded, an id past 64 bits is a 404 or
422 everywhere, an unexpected failure is a JSON 500 with the security headers, and the admin
forms refuse what the API refuses. Each refused request leaves every table's row count as it
was."""

from __future__ import annotations

import functools
import re
import typing
from dataclasses import dataclass
from typing import Any

import annotated_types
import pytest
from fastapi.routing import iter_route_contexts
from pydantic import AfterValidator, BaseModel
from sqlalchemy import func, inspect, select, table
from sqlalchemy.orm import Session, sessionmaker

from tests.support.review import step
from tests.web.conftest import Web
from warning import clock
from warning.accounts.service import create_token
from warning.plain_text import check_text
from warning.review.models import ReviewItem
from warning.store import transaction

LARGEST_ID = 2**31 - 1  # what an id column holds on PostgreSQL (INTEGER)
HUGE = (2**63, 2**64, 10**23)
SAMPLES = {"material_id": "copper", "name": "vera", "kind": "daily", "suffix": "csv"}


def row_counts(factory: sessionmaker[Session]) -> dict[str, int]:
    with factory() as session:
        connection = session.connection()
        return {
            name: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
            for name in inspect(connection).get_table_names()
        }


@dataclass(frozen=True)
class Param:
    route: str
    method: str
    where: str  # path, query or body
    name: str  # as sent (the alias)
    annotation: Any
    metadata: list[Any]


def parameters(web: Web) -> list[Param]:
    """Every parameter of every route of the app, from its route table."""
    found = []

    def walk(dependant: Any, path: str, method: str) -> None:
        for where in ("path", "query", "body", "header", "cookie"):
            for field in getattr(dependant, f"{where}_params"):
                info = field.field_info
                name = info.alias or field.name
                found.append(Param(path, method, where, name, info.annotation, info.metadata))
        for sub in dependant.dependencies:
            walk(sub, path, method)

    for route in iter_route_contexts(web.app.routes):
        dependant = getattr(route, "dependant", None)
        if dependant is not None:
            for method in sorted(route.methods or ()):
                walk(dependant, route.path, method)
    return found


def _checks_text(annotation: Any, metadata: list[Any]) -> bool:
    """Whether the text is checked by :func:`warning.plain_text.check_text` (or a pattern)."""
    for item in [*metadata, *_nested(annotation)]:
        if isinstance(item, AfterValidator):
            call = item.func
            if call is check_text or (
                isinstance(call, functools.partial) and call.func is check_text
            ):
                return True
        if getattr(item, "pattern", None):
            return True
    return False


def _nested(annotation: Any) -> list[Any]:
    """The metadata of ``annotation`` and of the types inside it (Optional, Annotated)."""
    items: list[Any] = list(getattr(annotation, "__metadata__", ()))
    for argument in typing.get_args(annotation):
        items += _nested(argument)
    return items


def _is(annotation: Any, kind: type) -> bool:
    if annotation is kind:
        return True
    return any(_is(argument, kind) for argument in typing.get_args(annotation))


def _model_fields(annotation: Any) -> list[tuple[str, Any, list[Any]]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [
            (name, field.annotation, list(field.metadata))
            for name, field in annotation.model_fields.items()
        ]
    return []


def test_every_integer_is_bounded_and_every_text_checked(web: Web) -> None:
    params = parameters(web)
    assert len(params) > 80  # the whole table: pages, forms and the API
    unbounded, unchecked = [], []
    for param in params:
        fields = _model_fields(param.annotation) or [(param.name, param.annotation, param.metadata)]
        for name, annotation, metadata in fields:
            where = f"{param.method} {param.route} {param.where} {name}"
            if _is(annotation, int) and not _is(annotation, bool):
                tops = [
                    m.le
                    for m in [*metadata, *_nested(annotation)]
                    if isinstance(m, annotated_types.Le)
                ]
                if not tops or max(tops) > LARGEST_ID:
                    unbounded.append(where)
            if _is(annotation, str) and not _checks_text(annotation, metadata):
                unchecked.append(where)
    assert unbounded == []
    assert unchecked == []


def integer_params(web: Web) -> list[Param]:
    return [
        p
        for p in parameters(web)
        if p.where in ("path", "query") and _is(p.annotation, int) and not _is(p.annotation, bool)
    ]


def test_an_integer_past_64_bits_is_404_or_422_on_every_route(web: Web) -> None:
    with transaction(web.factory) as session:
        _token, bearer = create_token(
            session, user_name="ada", label="t", expires_days=None, actor="t", now=clock.now()
        )
    browser, csrf = web.as_("ada"), web.csrf("ada")
    walked = integer_params(web)
    assert {p.name for p in walked} >= {"item_id", "token_id", "silence_id", "offset", "item"}
    before = row_counts(web.factory)
    for param in walked:
        for number in HUGE:
            path = re.sub(
                r"\{(\w+)\}",
                lambda m, p=param, n=number: (
                    str(n) if m.group(1) == p.name else SAMPLES.get(m.group(1), "1")
                ),
                param.route,
            )
            query = {param.name: str(number)} if param.where == "query" else {}
            if param.route.startswith("/api/"):
                answer = browser.request(
                    param.method,
                    path,
                    params=query,
                    headers={"Authorization": f"Bearer {bearer}"},
                    json={} if param.method != "GET" else None,
                )
            else:
                data = {"csrf_token": csrf} if param.method != "GET" else None
                answer = browser.request(param.method, path, params=query, data=data)
            where = (param.method, path, query)
            assert answer.status_code in (404, 422), (where, answer.status_code)
            detail = answer.json()["detail"]
            if answer.status_code == 422:
                assert [param.where, param.name] in [e["loc"] for e in detail], (where, detail)
    assert row_counts(web.factory) == before


def test_a_500_is_json_and_carries_the_security_headers(web: Web) -> None:
    def broken() -> None:
        raise RuntimeError("a bug")

    web.app.add_api_route("/api/v1/broken", broken)
    web.app.add_api_route("/broken", broken)
    client = web.anonymous()
    client_errors = type(client)(web.app, raise_server_exceptions=False)
    for path in ("/api/v1/broken", "/broken"):
        answer = client_errors.get(path)
        assert answer.status_code == 500
        assert answer.headers["content-type"] == "application/json"
        assert answer.json() == {"detail": "internal server error"}  # no traceback, no text
        assert "default-src 'self'" in answer.headers["content-security-policy"]
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["cache-control"] == "no-store"


@dataclass(frozen=True)
class Case:
    name: str
    user: str
    path: str  # {item}: a pending review item's id
    form: dict[str, str]
    status: int
    says: str  # in the answer's text


CASES = [
    Case(
        "token expiring in -3 days",
        "ada",
        "/admin/tokens",
        {"user": "vera", "expires_days": "-3"},
        409,
        "expires_days",
    ),
    Case(
        "token expiring in abc days",
        "ada",
        "/admin/tokens",
        {"user": "vera", "expires_days": "abc"},
        409,
        "expires_days",
    ),
    Case(
        "token expiring in 99999 days",
        "ada",
        "/admin/tokens",
        {"user": "vera", "expires_days": "99999"},
        409,
        "expires_days",
    ),
    Case(
        "user with role god",
        "ada",
        "/admin/users",
        {"name": "li.wei", "role": "god", "password": "a-long-password"},
        409,
        "role",
    ),
    Case(
        "the last admin disables themself",
        "ada",
        "/admin/users/ada/disable",
        {},
        409,
        "last enabled admin",
    ),
    Case(
        "line break in a user name",
        "ada",
        "/admin/users",
        {"name": "li\r\nwei", "role": "viewer", "password": "a-long-password"},
        422,
        "name",
    ),
    Case(
        "U+2028 in a token label",
        "ada",
        "/admin/tokens",
        {"user": "vera", "label": "ci\u2028x"},
        422,
        "label",
    ),
    Case("NUL in a reason", "otto", "/items/{item}/reject", {"reason": "roll\x00"}, 422, "reason"),
    Case(
        "escape in a comment",
        "otto",
        "/items/{item}/approve",
        {"comment": "\x1b[2J"},
        422,
        "comment",
    ),
    Case(
        "NUL in a silence comment",
        "otto",
        "/admin/silences",
        {"material": "copper", "ends_at": "2030-01-01T00:00", "comment": "a\x00"},
        422,
        "comment",
    ),
    Case(
        "U+0085 in a silence's material",
        "otto",
        "/admin/silences",
        {"material": "copper\x85", "ends_at": "2030-01-01T00:00", "comment": "a"},
        422,
        "material",
    ),
    Case(
        "NUL in a login name",
        "anonymous",
        "/login",
        {"name": "ada\x00", "password": "x"},
        422,
        "name",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_form(web: Web, case: Case) -> None:
    with web.factory() as session, session.begin():
        step(session, {"copper": ("yellow", "up")}, now=clock.now())
        item = session.scalar(select(func.max(ReviewItem.id)))
    if case.user == "anonymous":
        browser = web.anonymous()
        form = {**case.form, "csrf_token": "t"}
        browser.cookies.set("warning_login_csrf", "t")
    else:
        browser = web.as_(case.user)
        form = {**case.form, "csrf_token": web.csrf(case.user)}
    before = row_counts(web.factory)
    answer = browser.post(case.path.format(item=item), data=form)
    assert answer.status_code == case.status, answer.text[:500]
    assert case.says in answer.text
    assert row_counts(web.factory) == before
