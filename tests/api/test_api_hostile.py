"""Hostile but realistic requests to the API, as a script or a careless client sends them.

Each case is one request by one user (or none). For each: the status, a JSON ``detail`` that
names what is wrong, and the store afterwards: the row count of every table is as before.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, inspect, select, table
from sqlalchemy.orm import Session, sessionmaker

from tests.api.conftest import Api
from tests.support.review import step
from warning import clock
from warning.accounts import AccountError, Role
from warning.accounts.service import ensure_user
from warning.api.app import create_app
from warning.catalog import load_catalog
from warning.context import ServiceContext
from warning.settings import load_settings
from warning.store import make_engine, session_factory

FUTURE = (datetime.now(UTC) + timedelta(days=2)).isoformat()
HUGE = (2**63, 2**64, 10**23)  # past a signed 64-bit integer, past unsigned, 23 digits


def row_counts(factory: sessionmaker[Session]) -> dict[str, int]:
    """The number of rows of every table."""
    with factory() as session:
        connection = session.connection()
        return {
            name: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
            for name in inspect(connection).get_table_names()
        }


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str  # {item}: a pending review item's id
    user: str | None  # None: anonymous
    status: int
    says: str  # in the JSON detail (its text, as JSON)
    body: Any = None  # JSON-encoded as given
    raw: bytes | None = None  # sent as it is, with Content-Type: application/json


def huge_id_cases() -> list[Case]:
    cases = []
    for number in HUGE:
        cases += [
            Case(
                f"review item {number}",
                "GET",
                f"/api/v1/review-items/{number}",
                "vera",
                422,
                "item_id",
            ),
            Case(
                f"approve {number}",
                "POST",
                f"/api/v1/review-items/{number}/approve",
                "otto",
                422,
                "item_id",
                body={},
            ),
            Case(
                f"silence {number}",
                "DELETE",
                f"/api/v1/silences/{number}",
                "otto",
                422,
                "silence_id",
            ),
            Case(f"token {number}", "DELETE", f"/api/v1/tokens/{number}", "ada", 422, "token_id"),
            Case(
                f"audit offset {number}",
                "GET",
                f"/api/v1/audit?offset={number}",
                "vera",
                422,
                "offset",
            ),
            Case(
                f"assessments offset {number}",
                "GET",
                f"/api/v1/assessments?offset={number}",
                "vera",
                422,
                "offset",
            ),
            Case(
                f"audit item {number}", "GET", f"/api/v1/audit?item={number}", "vera", 422, "item"
            ),
        ]
    return cases


def control_cases() -> list[Case]:
    silence = {"material": "copper", "ends_at": FUTURE, "comment": "holiday"}
    user = {"name": "li.wei", "role": "viewer", "password": "a-long-password"}
    return [
        Case(
            "NUL in a reason",
            "POST",
            "/api/v1/review-items/{item}/reject",
            "otto",
            422,
            '"reason"',
            body={"reason": "contract\u0000roll"},
        ),
        Case(
            "NUL in a comment",
            "POST",
            "/api/v1/review-items/{item}/approve",
            "otto",
            422,
            '"comment"',
            body={"comment": "ok\u0000"},
        ),
        Case(
            "escape in an adjusted text",
            "POST",
            "/api/v1/review-items/{item}/adjust",
            "otto",
            422,
            '"text_en"',
            body={"reason": "x", "level": "red", "text_en": "Copper \u001b[31mred"},
        ),
        Case(
            "C1 control in a snooze comment",
            "POST",
            "/api/v1/review-items/{item}/snooze",
            "otto",
            422,
            '"comment"',
            body={"until": FUTURE, "comment": "later\u0085"},
        ),
        Case(
            "NUL in a silence comment",
            "POST",
            "/api/v1/silences",
            "otto",
            422,
            '"comment"',
            body={**silence, "comment": "holi\u0000day"},
        ),
        Case(
            "line break in a silence's material",
            "POST",
            "/api/v1/silences",
            "otto",
            422,
            '"material"',
            body={**silence, "material": "copper\r\n"},
        ),
        *(
            Case(
                f"{name} in a user name",
                "POST",
                "/api/v1/users",
                "ada",
                422,
                '"name"',
                body={**user, "name": f"li{character}wei"},
            )
            for name, character in (("CRLF", "\r\n"), ("U+2028", "\u2028"), ("U+0085", "\u0085"))
        ),
        Case(
            "line break in a token label",
            "POST",
            "/api/v1/tokens",
            "ada",
            422,
            '"label"',
            body={"user": "vera", "label": "ci\nBcc: x"},
        ),
        Case(
            "NUL in a filter",
            "GET",
            "/api/v1/review-items?material=cop%00per",
            "vera",
            422,
            '"material"',
        ),
        Case(
            "NUL in a user's name in the path",
            "POST",
            "/api/v1/users/ve%00ra/disable",
            "ada",
            422,
            '"name"',
        ),
    ]


CASES = [
    *huge_id_cases(),
    Case(
        "ends_at 1e999999",
        "POST",
        "/api/v1/silences",
        "otto",
        422,
        "ends_at",
        raw=b'{"material": "copper", "ends_at": 1e999999, "comment": "x"}',
    ),
    Case(
        "until -1e999",
        "POST",
        "/api/v1/review-items/{item}/snooze",
        "otto",
        422,
        "until",
        raw=b'{"until": -1e999}',
    ),
    Case(
        "NaN until",
        "POST",
        "/api/v1/review-items/{item}/snooze",
        "otto",
        422,
        "until",
        raw=b'{"until": NaN}',
    ),
    *control_cases(),
    Case(
        "the last admin disables themself",
        "POST",
        "/api/v1/users/ada/disable",
        "ada",
        409,
        "last enabled admin",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_request(api: Api, case: Case) -> None:
    with api.factory() as session, session.begin():
        step(session, {"copper": ("yellow", "up")}, now=clock.now())
    item = api.client.get("/api/v1/review-items", headers=api.as_("vera")).json()["items"][0]
    before = row_counts(api.factory)
    headers = api.as_(case.user) if case.user else {}
    content = case.raw if case.raw is not None else None
    if case.raw is not None:
        headers = {**headers, "Content-Type": "application/json"}
    answer = api.client.request(
        case.method,
        case.path.format(item=item["id"]),
        headers=headers,
        content=content,
        json=case.body if case.raw is None else None,
    )
    assert answer.status_code == case.status, answer.text
    assert answer.headers["content-type"] == "application/json"
    detail = answer.json()["detail"]
    assert detail and case.says in json.dumps(detail, ensure_ascii=False), detail
    assert row_counts(api.factory) == before


def test_a_multi_line_comment_is_taken(api: Api) -> None:
    """Line breaks and tabs are what a comment is made of: refused only in one-line fields."""
    with api.factory() as session, session.begin():
        step(session, {"copper": ("yellow", "up")}, now=clock.now())
    item = api.client.get("/api/v1/review-items", headers=api.as_("vera")).json()["items"][0]
    assert item["comment"] is None
    done = api.client.post(
        f"/api/v1/review-items/{item['id']}/reject",
        json={"reason": "contract roll,\r\n\tnot a shortage"},
        headers=api.as_("otto"),
    )
    assert (
        done.status_code == 200 and done.json()["comment"] == "contract roll,\r\n\tnot a shortage"
    )


def test_the_largest_id_and_offset_are_answered(api: Api) -> None:
    """2**31 - 1 (the largest a PostgreSQL INTEGER holds) is a valid id and offset: not
    found, and an empty page; 2**31 is refused by name."""
    largest = 2**31 - 1
    missing = api.client.get(f"/api/v1/review-items/{largest}", headers=api.as_("vera"))
    assert missing.status_code == 404 and missing.json()["detail"]
    page = api.client.get(f"/api/v1/audit?offset={largest}", headers=api.as_("vera"))
    assert page.status_code == 200 and page.json()["items"] == []
    assert page.json()["offset"] == largest
    past = api.client.get(f"/api/v1/review-items/{largest + 1}", headers=api.as_("vera"))
    assert past.status_code == 422 and past.json()["detail"][0]["loc"] == ["path", "item_id"]


# --- bodies over the cap: refused before anything reads them ------------------------------

CAP = 4096
CHUNK = b"x" * 1024


def small_cap_app(database_url: str) -> Any:
    settings = load_settings(database_url=database_url, max_body_bytes=CAP, secret_key="k")
    engine = make_engine(database_url)
    return create_app(ServiceContext(settings, engine, session_factory(engine), load_catalog()))


def post(
    app: Any, headers: list[tuple[bytes, bytes]], chunks: Iterator[bytes]
) -> tuple[int, str, int]:
    """POST ``chunks`` (as a streamed body) to the reject route, straight through ASGI: the
    status, the answer's body and how many chunks the app asked for."""
    pulled = 0
    sent: list[dict[str, Any]] = []
    upcoming = next(chunks, None)

    async def receive() -> dict[str, Any]:
        nonlocal pulled, upcoming
        chunk, upcoming = upcoming, next(chunks, None)
        if chunk is None:
            return {"type": "http.disconnect"}
        pulled += 1
        return {"type": "http.request", "body": chunk, "more_body": upcoming is not None}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    path = "/api/v1/review-items/1/reject"
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], body.decode(), pulled


def endless() -> Iterator[bytes]:
    """Far more than the cap (finite, so that a server reading it all still ends)."""
    return iter([CHUNK] * 64)


def bearer(api: Api, user: str | None) -> list[tuple[bytes, bytes]]:
    return [(b"authorization", api.as_(user)["Authorization"].encode())] if user else []


@pytest.mark.parametrize("user", [None, "otto"], ids=["anonymous", "operator"])
def test_a_declared_body_over_the_cap_is_413_unread(
    api: Api, database_url: str, user: str | None
) -> None:
    before = row_counts(api.factory)
    declared = [(b"content-length", b"314572800"), *bearer(api, user)]  # 300 MiB
    status, body, pulled = post(small_cap_app(database_url), declared, endless())
    assert (status, pulled) == (413, 0)  # not one byte read
    assert "WARNING_MAX_BODY_BYTES" in json.loads(body)["detail"]
    assert row_counts(api.factory) == before


@pytest.mark.parametrize("user", [None, "otto"], ids=["anonymous", "operator"])
def test_a_streamed_body_over_the_cap_is_413_as_it_passes(
    api: Api, database_url: str, user: str | None
) -> None:
    before = row_counts(api.factory)
    streamed = [(b"transfer-encoding", b"chunked"), *bearer(api, user)]
    status, body, pulled = post(small_cap_app(database_url), streamed, endless())
    assert status == 413 and "WARNING_MAX_BODY_BYTES" in json.loads(body)["detail"]
    assert pulled == CAP // len(CHUNK) + 1  # up to the first chunk past the cap, no further
    assert row_counts(api.factory) == before


def test_a_body_of_exactly_the_cap_is_read(api: Api, database_url: str) -> None:
    exact = [(b"content-length", str(CAP).encode()), *bearer(api, "otto")]
    chunks = iter([CHUNK] * (CAP // len(CHUNK)))
    status, body, _pulled = post(small_cap_app(database_url), exact, chunks)
    assert status == 422 and "json_invalid" in body  # read and parsed, not refused for its size


def test_the_last_enabled_admin_cannot_be_demoted_either(api: Api) -> None:
    """The rule is the accounts service's: a demotion through ensure_user (the demo's) too."""
    refused = pytest.raises(AccountError, match="'ada' is the last enabled admin")
    with api.factory() as session, session.begin(), refused:
        ensure_user(
            session,
            name="ada",
            role=Role.OPERATOR,
            password="p" * 12,
            actor="t",
            now=clock.now(),
        )
    with api.factory() as session, session.begin():
        ensure_user(
            session, name="otto", role=Role.ADMIN, password="p" * 12, actor="t", now=clock.now()
        )
        demoted = ensure_user(
            session, name="ada", role=Role.OPERATOR, password="p" * 12, actor="t", now=clock.now()
        )
        assert demoted.role == Role.OPERATOR  # otto is an admin now
