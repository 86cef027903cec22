"""Every page and form of the web app, from the app's own route table, as nobody, reporter,
viewer, operator and admin: nobody is sent to the login page, a role below the one the route
needs gets 403, that role and above get through. A reporter gets through only its own
reporting pages (``/report``) and logging out; those pages are a reporter's only. Forms carry
the session's CSRF token, so a refusal here is the role's, not the token's.

The role a route needs is the higher of what it declares (an ``Operator`` or ``Admin``
dependency; a page that checks the role in its body declares only a signed-in user) and the
floor docs/web.md sets for its path: users, tokens, the directory's export and import for
admins; the outbox, the directory and every form for operators; reading for viewers.
"""

from __future__ import annotations

import re

from fastapi.routing import APIRoute, iter_route_contexts

from tests.support.roles import declared_roles, highest, rank
from tests.web.conftest import REPORTER, ROLES, Web
from warning.accounts import Role

# signed links: unsubscribe (RFC 8058), a warning's public page; /setup: the first admin's,
# a 404 for everyone once a user exists (tests/web/test_setup.py)
OPEN = {"/login", "/setup", "/healthz", "/readyz", "/metrics", "/unsubscribe", "/w/{token}"}
ADMIN_AREAS = ("/admin/users", "/admin/tokens", "/directory/export", "/directory/import")
OPERATOR_AREAS = ("/deliveries", "/directory")
SIGNED_IN_FORMS = {"/logout"}  # a form any signed-in user sends
WALKERS = {REPORTER: Role.REPORTER, **ROLES}
SAMPLE_PARAMS = {
    "material_id": "copper",
    "item_id": "1",
    "silence_id": "1",
    "token_id": "1",
    "name": "vera",
    "delivery_id": "1",
    "suffix": "csv",
    "kind": "weekly",
}


def reporters_only(path: str) -> bool:
    """A reporter's own pages: its form, template and upload."""
    return path == "/report" or path.startswith("/report/")


def admits(role: Role, method: str, path: str, needed: Role) -> bool:
    if reporters_only(path):
        return role == Role.REPORTER
    if path in SIGNED_IN_FORMS:
        return True
    return rank(role) >= rank(needed)


def floor(method: str, path: str) -> Role:
    """The least role docs/web.md allows for ``method`` on ``path``."""
    if path.startswith(ADMIN_AREAS):
        return Role.ADMIN
    if path.startswith(OPERATOR_AREAS) or (method == "POST" and path not in SIGNED_IN_FORMS):
        return Role.OPERATOR
    return Role.VIEWER


def page_routes(web: Web) -> list[tuple[str, str, Role]]:
    """(method, concrete path, role needed) of every route that is not the API's."""
    found = []
    for route in iter_route_contexts(web.app.routes):
        template = route.path or ""
        if not isinstance(route.original_route, APIRoute) or template.startswith("/api/"):
            continue
        if template in OPEN:
            continue
        path = re.sub(r"\{(\w+)\}", lambda m: SAMPLE_PARAMS[m.group(1)], template)
        declared = declared_roles(route)
        for method in sorted((route.methods or set()) - {"HEAD"}):
            found.append((method, path, highest(Role.VIEWER, floor(method, path), *declared)))
    return found


def last_of_all(route: tuple[str, str, Role]) -> tuple[bool, str, str]:
    """Order of the walk: logging out and disabling a user come last."""
    method, path, _role = route
    return (path == "/logout" or path.endswith("/disable"), path, method)


def test_the_walk_covers_every_page_and_finds_its_roles(web: Web) -> None:
    walked = {(method, path): role for method, path, role in page_routes(web)}
    assert len(walked) >= 25
    assert walked[("GET", "/")] is Role.VIEWER
    assert walked[("POST", "/items/1/approve")] is Role.OPERATOR
    assert walked[("POST", "/admin/tokens")] is Role.ADMIN
    assert walked[("POST", "/directory/import")] is Role.ADMIN
    assert walked[("GET", "/deliveries")] is Role.OPERATOR
    assert walked[("POST", "/logout")] is Role.VIEWER


def test_every_page_sends_nobody_to_login_refuses_lower_roles_and_admits_the_rest(
    web: Web,
) -> None:
    routes = sorted(page_routes(web), key=last_of_all)
    anonymous = web.anonymous()
    for method, path, _needed in routes:
        answer = anonymous.request(method, path)
        assert answer.status_code == 303, (method, path, answer.status_code)
        assert answer.headers["location"].startswith("/login?next="), (method, path)
    for name, role in WALKERS.items():
        browser, csrf = web.as_(name), web.csrf(name)
        for method, path, needed in routes:
            if method == "POST":
                answer = browser.post(path, data={"csrf_token": csrf})
            else:
                answer = browser.request(method, path)
            where = (name, method, path, answer.status_code)
            if not admits(role, method, path, needed):
                assert answer.status_code == 403, where
            else:
                assert answer.status_code not in (401, 403), where
                assert not answer.headers.get("location", "").startswith("/login?"), where


def test_an_operator_may_not_make_a_token_on_the_admin_page(web: Web) -> None:
    refused = web.post("otto", "/admin/tokens", {"user": "otto", "label": "mine"})
    assert refused.status_code == 403
    made = web.post("ada", "/admin/tokens", {"user": "otto", "label": "mine"})
    assert made.status_code == 200 and "wt_" in made.text
