"""The pages' security: every page needs a user, every form its CSRF token, logins are
limited, cookies and headers are as they should be, and secrets stay secret."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import inspect, text

from tests.web.conftest import PASSWORDS, Web, login
from warning.accounts.sessions import PER_ACCOUNT, PER_ADDRESS, WINDOW
from warning.api.deps import SESSION_COOKIE
from warning.clock import FrozenClock, use_clock
from warning.web.routes.login import safe_next
from warning.web.security import CONTENT_SECURITY_POLICY

OPEN = {"/login", "/setup", "/healthz", "/readyz", "/metrics"}  # /setup: 404 once a user exists
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


def page_routes(web: Web) -> list[tuple[str, str]]:
    """(method, concrete path) of every route that is not the API's: the pages."""
    found = []
    for route in iter_route_contexts(web.app.routes):
        path = getattr(route, "path", "")
        if path.startswith(("/api/", "/static", "/unsubscribe", "/w/")):
            continue  # the API; static files; signed links: unsubscribe (RFC 8058), public page
        concrete = re.sub(r"\{(\w+)\}", lambda m: SAMPLE_PARAMS[m.group(1)], path)
        methods = sorted(getattr(route, "methods", None) or {"GET"})
        found += [(method, concrete) for method in methods if method != "HEAD"]
    return found


def test_the_walk_covers_every_page(web: Web) -> None:
    walked = page_routes(web)
    paths = {path for _method, path in walked}
    expected = {
        *("/", "/queue", "/items/1", "/materials/copper", "/feeds", "/admin", "/login"),
        *("/deliveries", "/directory", "/directory/export.csv"),
    }
    assert expected <= paths
    assert ("POST", "/items/1/approve") in walked and ("POST", "/logout") in walked
    assert len([m for m, _p in walked if m == "POST"]) >= 12


def test_logged_out_every_page_redirects_to_login(web: Web) -> None:
    browser = web.anonymous()
    for method, path in page_routes(web):
        if path in OPEN:
            continue
        answer = browser.request(method, path)
        assert answer.status_code == 303, (method, path, answer.status_code)
        location = answer.headers["location"]
        assert location.startswith("/login?next="), (method, path, location)
    assert (
        browser.get("/queue?level=red").headers["location"] == "/login?next=%2Fqueue%3Flevel%3Dred"
    )


def test_login_health_and_static_need_no_user(web: Web) -> None:
    browser = web.anonymous()
    assert browser.get("/login").status_code == 200
    assert browser.get("/healthz").status_code == 200
    assert browser.get("/static/app.js").status_code == 200
    assert browser.get("/static/vendor/echarts-6.1.0/LICENSE").status_code == 200


def test_after_login_the_visitor_goes_where_they_were_going(web: Web) -> None:
    browser = web.anonymous()
    form = browser.get("/login?next=%2Fqueue")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token and 'name="next" value="/queue"' in form.text
    answer = browser.post(
        "/login",
        data={
            "name": "vera",
            "password": PASSWORDS["vera"],
            "csrf_token": token.group(1),
            "next": "/queue",
        },
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/queue"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/queue?level=red", "/queue?level=red"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_login_goes_back_only_to_this_site(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_every_form_post_without_the_csrf_token_is_refused(web: Web) -> None:
    browser = web.as_("ada")
    posts = [path for method, path in page_routes(web) if method == "POST" and path != "/login"]
    for path in posts:
        without = browser.post(path, data={"comment": "x", "reason": "x"})
        assert without.status_code == 403, (path, without.status_code)
        assert "security token" in without.text or "安全令牌" in without.text
        wrong = browser.post(path, data={"csrf_token": "not-the-token", "reason": "x"})
        assert wrong.status_code == 403, path
    assert browser.get("/").status_code == 200  # still signed in: nothing was done


def test_the_login_form_needs_its_own_csrf_token(web: Web) -> None:
    browser = web.anonymous()
    browser.get("/login")
    answer = browser.post("/login", data={"name": "vera", "password": PASSWORDS["vera"]})
    assert answer.status_code == 403
    assert SESSION_COOKIE not in answer.cookies


def test_the_session_cookie_is_httponly_lax_and_secure_only_over_https(web: Web) -> None:
    answer = login(web.anonymous(), "vera", PASSWORDS["vera"])
    cookie = answer.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie

    from fastapi.testclient import TestClient

    over_https = TestClient(web.app, base_url="https://testserver", follow_redirects=False)
    secure = login(over_https, "vera", PASSWORDS["vera"]).headers["set-cookie"]
    assert "HttpOnly" in secure and "SameSite=lax" in secure and "Secure" in secure


def test_security_headers_on_pages_api_and_static(web: Web) -> None:
    browser = web.as_("vera")
    for path in ("/", "/login", "/static/app.css", "/api/v1/materials", "/healthz"):
        headers = browser.get(path).headers
        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY, path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["x-frame-options"] == "DENY", path
    csp = CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-eval" not in csp and "'unsafe-inline'" not in csp.replace(
        "style-src-attr 'unsafe-inline'", ""
    )  # style attributes only (the charts' tooltips): no inline script or <style> element
    assert "script-src 'self';" in csp and "style-src 'self';" in csp
    assert browser.get("/").headers["cache-control"] == "no-store"
    assert "immutable" in browser.get("/static/app.css").headers["cache-control"]


def test_no_page_has_inline_script_or_event_handlers(web: Web) -> None:
    browser = web.as_("ada")
    for path in ("/", "/queue", "/feeds", "/admin", "/materials/copper", "/login"):
        body = browser.get(path).text
        for script in re.findall(r"<script([^>]*)>(.*?)</script>", body, flags=re.S):
            attributes, content = script
            assert "src=" in attributes or 'type="application/json"' in attributes, path
            assert "src=" not in attributes or not content.strip(), path
        assert not re.search(r"\son[a-z]+=", body), path
        assert "javascript:" not in body, path
        assert "http://" not in body and "https://" not in body, path  # nothing from elsewhere


def test_logins_are_limited_per_account(web: Web) -> None:
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    browser = web.anonymous()
    with use_clock(FrozenClock(start)):
        for _ in range(PER_ACCOUNT):
            assert login(browser, "otto", "wrong-password").status_code == 401
        refused = login(browser, "otto", PASSWORDS["otto"])  # even the right password
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
        assert SESSION_COOKIE not in refused.cookies
        assert login(web.anonymous(), "vera", PASSWORDS["vera"]).status_code == 303
    with use_clock(FrozenClock(start + WINDOW + timedelta(seconds=1))):
        assert login(browser, "otto", PASSWORDS["otto"]).status_code == 303


def test_logins_are_limited_per_address(web: Web) -> None:
    browser = web.anonymous()
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with use_clock(FrozenClock(start)):
        for attempt in range(PER_ADDRESS):
            name = f"guess{attempt % (PER_ACCOUNT - 1)}"  # never enough for one account
            assert login(browser, name, "wrong-password").status_code == 401
        assert login(browser, "vera", PASSWORDS["vera"]).status_code == 429


def test_logout_ends_the_session(web: Web) -> None:
    browser = web.as_("vera")
    cookie = browser.cookies.get(SESSION_COOKIE)
    assert browser.post("/logout", data={"csrf_token": web.csrf("vera")}).status_code == 303
    stale = web.anonymous()
    stale.cookies.set(SESSION_COOKIE, cookie or "")
    assert stale.get("/").status_code == 303


def test_a_disabled_users_session_stops_working(web: Web) -> None:
    assert web.as_("vera").get("/").status_code == 200
    assert web.post("ada", "/admin/users/vera/disable", {}).status_code == 303
    assert web.as_("vera").get("/").status_code == 303


def test_a_session_expires(web: Web) -> None:
    browser = web.as_("vera")
    hours = web.context.settings.web_session_hours
    with use_clock(FrozenClock(datetime.now(UTC) + timedelta(hours=hours, minutes=1))):
        assert browser.get("/").status_code == 303


def test_the_api_takes_the_session_cookie_with_the_csrf_header_for_changes(web: Web) -> None:
    browser = web.as_("otto")
    assert browser.get("/api/v1/materials").status_code == 200
    body = {"material": "copper", "ends_at": "2099-01-01T00:00:00+08:00", "comment": "x"}
    refused = browser.post("/api/v1/silences", json=body)
    assert refused.status_code == 403 and "X-CSRF-Token" in refused.json()["detail"]
    made = browser.post("/api/v1/silences", json=body, headers={"X-CSRF-Token": web.csrf("otto")})
    assert made.status_code == 201
    assert web.anonymous().get("/api/v1/materials").status_code == 401


def test_viewers_may_not_decide_or_administer(web: Web) -> None:
    for path in ("/items/1/approve", "/admin/users", "/admin/silences"):
        answer = web.post("vera", path, {"reason": "x", "comment": "x"})
        assert answer.status_code == 403, path
    assert web.post("otto", "/admin/users", {"name": "x"}).status_code == 403


def test_passwords_and_session_cookies_are_nowhere_in_clear(
    web: Web, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in PASSWORDS:
        web.as_(name).get("/")
    login(web.anonymous(), "otto", "a-wrong-password")
    cookies = [browser.cookies.get(SESSION_COOKIE) or "" for browser in web.browsers.values()]
    assert all(cookies)
    with web.factory() as session:
        connection = session.connection()
        dump = " ".join(
            repr(tuple(row))
            for table in inspect(connection).get_table_names()
            for row in connection.execute(text(f'SELECT * FROM "{table}"'))
        )
    logged = caplog.text + capsys.readouterr().out
    for secret in [*PASSWORDS.values(), "a-wrong-password", *cookies]:
        assert secret not in dump
        assert secret not in logged
