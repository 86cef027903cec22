"""A token in a feed URL's query is never shown: not in a run's source or error, a rejected
row, a log line; the URL is shown with its parameters' names and ``***`` for their values.

The issue's case: a feed at ``...?token=URLSECRET123`` redirected to another origin failed
rightly, but ``feed_run.error`` (shown on /feeds to viewers) printed the whole URL.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from feed_helpers import TODAY, one, price_feed, prices_csv
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from feeds.urls import shown_url
from tests.support.loopback import LoopbackServer, Reply
from warning.feeding.models import FeedRun, RejectedRow
from warning.jobs.feeds import run_feed

SECRET = "URLSECRET123"


def stored_texts(factory: sessionmaker[Session]) -> list[str]:
    """Every text the store keeps of feed runs and rejected rows."""
    with factory() as session:
        runs = session.execute(select(FeedRun.source, FeedRun.error)).all()
        rejects = session.execute(
            select(RejectedRow.source, RejectedRow.raw, RejectedRow.reason)
        ).all()
    return [str(text) for row in [*runs, *rejects] for text in row if text is not None]


def redirect_away(server: LoopbackServer, other: LoopbackServer) -> None:
    server.serve(Reply(302, headers={"Location": f"{other.url}/x.csv?token={SECRET}"}))
    other.serve(Reply(body=prices_csv([("2026-03-02", 70000)]).encode()))


def not_found(server: LoopbackServer, _other: LoopbackServer) -> None:
    server.serve(Reply(404, b"no such file"))


def html_page(server: LoopbackServer, _other: LoopbackServer) -> None:
    server.serve(Reply(200, b"<html><title>Login</title></html>", {"Content-Type": "text/html"}))


def a_bad_row(server: LoopbackServer, _other: LoopbackServer) -> None:
    server.serve(Reply(body=prices_csv([("2026-03-02", 70000), ("2026-03-03", "n/a")]).encode()))


CASES: dict[str, tuple[Callable[[LoopbackServer, LoopbackServer], None], str]] = {
    "redirect to another origin": (redirect_away, "failed"),
    "HTTP 404": (not_found, "failed"),
    "an HTML page": (html_page, "failed"),
    "a refused row": (a_bad_row, "ok"),
}


@pytest.mark.parametrize("where", ["location", "params"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_a_token_in_the_query_is_never_stored_or_logged(
    factory: sessionmaker[Session],
    server: LoopbackServer,
    other_server: LoopbackServer,
    caplog: pytest.LogCaptureFixture,
    case: str,
    where: str,
) -> None:
    serve, status = CASES[case]
    serve(server, other_server)
    extra: dict[str, Any] = {"http": {"attempts": 1}}
    location = f"{server.url}/cu.csv"
    if where == "location":
        location += f"?token={SECRET}&day=1"
    else:
        extra["http"]["params"] = {"token": SECRET, "day": "1"}
    feed = one(price_feed("cu_http", location, source="http_csv", **extra))

    with caplog.at_level(logging.INFO):  # what the service logs (httpx: every request)
        outcome = run_feed(factory, definition=feed, today=TODAY)

    assert outcome.status == status
    assert f"token={SECRET}" in server.requests[0]["path"]  # the token was sent, as meant
    texts = stored_texts(factory)
    assert texts and not [text for text in texts if SECRET in text]
    shown = f"{server.url}/cu.csv?token=***&day=***"  # the URL asked for, as shown
    assert shown in texts  # the run's source (and the rejected row's)
    assert SECRET not in (outcome.error or "") and SECRET not in caplog.text


def test_the_redirect_error_names_both_urls_without_the_token(
    factory: sessionmaker[Session], server: LoopbackServer, other_server: LoopbackServer
) -> None:
    redirect_away(server, other_server)
    feed = one(price_feed("cu_http", f"{server.url}/cu.csv?token={SECRET}", source="http_csv"))

    run_feed(factory, definition=feed, today=TODAY)

    with factory() as session:
        (error,) = session.scalars(select(FeedRun.error)).all()
    assert f"GET {server.url}/cu.csv?token=***: HTTP 302 redirect to another origin" in error


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://h.example/a.csv?token=S&day=1", "https://h.example/a.csv?token=***&day=***"),
        ("https://desk:S@h.example:8443/a.csv", "https://***@h.example:8443/a.csv"),
        ("https://h.example/a.csv?S", "https://h.example/a.csv?***"),
        ("https://h.example/a.csv#S", "https://h.example/a.csv"),
        ("https://h.example/a.csv", "https://h.example/a.csv"),
        ("data/prices.csv", "data/prices.csv"),  # a path is shown as it is
    ],
)
def test_shown_url(url: str, shown: str) -> None:
    assert shown_url(url) == shown
