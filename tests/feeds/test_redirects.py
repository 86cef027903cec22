"""Redirects and secrets: two real loopback servers on two ports (two origins).

A feed follows a redirect only within the origin of its location (or none, by setting), so
no secret sent with the request, whatever the kind of authentication, reaches another host.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from feeds.definitions import FeedDefinition
from feeds.engine import fetch
from feeds.result import FetchResult
from tests.support.definitions import feed
from tests.support.loopback import LoopbackServer, Reply
from tests.support.policies import quick_policy

CSV = b"date,close\n2024-01-02,68000\n"
SECRET = "s3cret-token"
AUTH = {
    "bearer": ({"kind": "bearer", "secret": "key"}, "authorization"),
    "header": ({"kind": "header", "secret": "key", "header": "X-Api-Key"}, "x-api-key"),
    "basic": ({"kind": "basic", "secret": "key", "username": "desk"}, "authorization"),
}


def csv_feed(location: str, auth: dict[str, str] | None = None, **http: Any) -> FeedDefinition:
    return feed("http_csv", location, http={**http, **({"auth": auth} if auth else {})})


def run(definition: FeedDefinition) -> FetchResult:
    return fetch(
        definition,
        known={},
        last_values={},
        validators=None,
        today=date(2026, 1, 1),
        secrets={"key": SECRET},
        policy=quick_policy(),
    )


@pytest.mark.parametrize("kind", sorted(AUTH))
def test_a_redirect_to_another_origin_is_refused_and_no_secret_leaves(
    server: LoopbackServer, other_server: LoopbackServer, kind: str
) -> None:
    server.serve(Reply(status=302, headers={"Location": f"{other_server.url}/steal.csv?x=1"}))
    other_server.serve(Reply(body=CSV))

    result = run(csv_feed(f"{server.url}/cu.csv?token={SECRET}", AUTH[kind][0]))

    assert result.status == "failed"
    assert f"redirect to another origin ({other_server.url}) not followed" in (result.error or "")
    assert other_server.requests == []
    assert AUTH[kind][1] in server.requests[0]  # the secret went where it was meant to go


def test_a_redirect_within_the_origin_is_followed_with_the_secret(
    server: LoopbackServer,
) -> None:
    server.serve(Reply(status=301, headers={"Location": "/moved/cu.csv"}), Reply(body=CSV))

    result = run(csv_feed(f"{server.url}/cu.csv", AUTH["header"][0]))

    assert result.status == "ok" and result.accepted == 1
    assert [request["path"] for request in server.requests] == ["/cu.csv", "/moved/cu.csv"]
    assert server.requests[1]["x-api-key"] == SECRET


def test_a_feed_may_follow_no_redirect_at_all(server: LoopbackServer) -> None:
    server.serve(Reply(status=307, headers={"Location": "/moved/cu.csv"}), Reply(body=CSV))

    result = run(csv_feed(f"{server.url}/cu.csv", redirects="none"))

    assert result.status == "failed" and "not followed (redirects: none)" in (result.error or "")
    assert len(server.requests) == 1


def test_a_redirect_loop_ends(server: LoopbackServer) -> None:
    server.serve(Reply(status=302, headers={"Location": "/again.csv"}))

    result = run(csv_feed(f"{server.url}/cu.csv"))

    assert result.status == "failed" and "more than 5 redirects" in (result.error or "")
    assert len(server.requests) == 6
