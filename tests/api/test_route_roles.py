"""Every route of the API, from the app's own route table, as nobody, reporter, viewer,
operator and admin: each role below the one the route needs is refused, that role and above
get through.

The role a route needs is the higher of what the route declares (its ``Viewer``, ``Operator``
or ``Admin`` dependency) and the floor docs/review.md sets for its path: users and tokens are
for admins, every change for operators, reading for viewers; enterprise reporting (its forms
and reports) for a reporter. A route declaring a set of roles (``ReporterOrDesk``: a reporter,
an operator, an admin) admits only those among the roles at or above its floor. A role check
dropped from a route, or weakened in its declaration, fails here.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts

from tests.api.conftest import Api, add_reporter_user
from tests.support.roles import declared_roles, declared_sets, highest, rank
from warning.accounts import Role

# signed links, the token is the proof: unsubscribe, and a warning's public page
OPEN = {"/healthz", "/readyz", "/metrics", "/api/v1/openapi.json", "/unsubscribe", "/w/{token}"}
ADMIN_AREAS = ("/api/v1/users", "/api/v1/tokens")
REPORTING_AREAS = ("/api/v1/report-forms", "/api/v1/reports")
SAFE = {"GET", "HEAD", "OPTIONS"}
SAMPLE_PARAMS = {
    "material_id": "copper",
    "item_id": "1",
    "silence_id": "1",
    "token_id": "1",
    "name": "vera",
    "report_id": "1",
}
USERS = {"rita": Role.REPORTER, "vera": Role.VIEWER, "otto": Role.OPERATOR, "ada": Role.ADMIN}


def floor(method: str, path: str) -> Role:
    """The least role the docs allow for ``method`` on ``path``."""
    if path.startswith(ADMIN_AREAS):
        return Role.ADMIN
    if path.startswith(REPORTING_AREAS):
        return Role.REPORTER
    return Role.VIEWER if method in SAFE else Role.OPERATOR


Needed = tuple[Role, frozenset[Role]]  # the least role, and the roles admitted among those


def guarded_routes(api: Api) -> list[tuple[str, str, Needed]]:
    """(method, concrete path, what it needs) of every API route that needs a user."""
    found = []
    for route in iter_route_contexts(api.client.app.routes):  # type: ignore[attr-defined]
        if not isinstance(route.original_route, APIRoute) or route.path in OPEN:
            continue
        path = re.sub(r"\{(\w+)\}", lambda m: SAMPLE_PARAMS[m.group(1)], route.path or "")
        declared = declared_roles(route)
        assert declared, f"{route.path} declares no user; add it to OPEN if that is meant"
        admitted = frozenset(Role).intersection(*declared_sets(route))
        for method in sorted((route.methods or set()) - {"HEAD"}):
            found.append((method, path, (highest(floor(method, path), *declared), admitted)))
    return found


def admits(needed: Needed, role: Role) -> bool:
    least, among = needed
    return rank(role) >= rank(least) and role in among


def call(api: Api, method: str, path: str, headers: dict[str, str] | None = None) -> Any:
    return api.client.request(method, path, json={}, headers=headers or {})


def last_of_all(route: tuple[str, str, Needed]) -> tuple[bool, str, str]:
    """Order of the walk: what disables a user or revokes a token comes last."""
    method, path, _role = route
    return (method == "DELETE" or path.endswith("/disable"), path, method)


def test_the_walk_covers_the_api_and_finds_its_roles(api: Api) -> None:
    walked = {(method, path): needed for method, path, needed in guarded_routes(api)}
    assert len(walked) >= 24
    assert walked[("GET", "/api/v1/materials")][0] is Role.VIEWER
    assert walked[("POST", "/api/v1/review-items/1/approve")][0] is Role.OPERATOR
    assert walked[("POST", "/api/v1/users")][0] is Role.ADMIN
    assert walked[("GET", "/api/v1/tokens")][0] is Role.ADMIN
    desk_and_reporter = {Role.REPORTER, Role.OPERATOR, Role.ADMIN}
    for method, path in (("GET", "/api/v1/report-forms"), ("POST", "/api/v1/reports")):
        assert {role for role in Role if admits(walked[(method, path)], role)} == (
            desk_and_reporter
        )


def test_every_guarded_route_refuses_nobody_and_lower_roles_and_admits_the_rest(
    api: Api,
) -> None:
    add_reporter_user(api, "rita")
    routes = sorted(guarded_routes(api), key=last_of_all)
    for method, path, _needed in routes:
        anonymous = call(api, method, path)
        assert anonymous.status_code == 401, (method, path, anonymous.status_code)
    for name, role in USERS.items():
        for method, path, needed in routes:
            answer = call(api, method, path, api.as_(name))
            if not admits(needed, role):
                assert answer.status_code == 403, (name, method, path, answer.status_code)
                least, among = needed
                detail = answer.json()["detail"]
                assert f"needs the {least} role" in detail or (
                    f"needs the {' or '.join(sorted(among))} role" in detail
                ), (name, method, path, detail)
            else:
                assert answer.status_code not in (401, 403), (name, method, path, answer.text)


def test_an_operator_may_not_add_a_user_nor_a_token(api: Api) -> None:
    body = {"name": "mallory", "role": "admin", "password": "a-long-password"}
    assert api.client.post("/api/v1/users", json=body, headers=api.as_("otto")).status_code == 403
    token = {"user": "otto", "label": "mine"}
    assert api.client.post("/api/v1/tokens", json=token, headers=api.as_("otto")).status_code == 403
    made = api.client.post("/api/v1/users", json=body, headers=api.as_("ada"))
    assert made.status_code == 201 and made.json()["role"] == "admin"
