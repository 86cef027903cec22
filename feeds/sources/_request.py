"""What the HTTP sources share: placeholders, authentication, and one GET via feeds.http."""

from __future__ import annotations

import base64
from datetime import date

import httpx

from feeds.definitions import FeedDefinition
from feeds.http import HttpBody, HttpFetchError, get
from feeds.sources.base import ReadContext, SourceError

# A pull with no stored data yet asks for everything from here on.
FULL_BACKFILL_SINCE = date(1900, 1, 1)


def fill(template: str, feed: FeedDefinition, context: ReadContext) -> str:
    """Replace ``{since}`` and ``{today}`` in a URL, parameter or header."""
    fmt = feed.http.since_format
    since = (context.since or FULL_BACKFILL_SINCE).strftime(fmt)
    return template.replace("{since}", since).replace("{today}", context.today.strftime(fmt))


def fetch_body(feed: FeedDefinition, context: ReadContext) -> HttpBody:
    """GET the feed's location with its parameters, headers and authentication."""
    if context.client is None:
        raise SourceError(feed.location, "no HTTP client was given")  # engine always gives one
    url = fill(feed.location, feed, context)
    params = {key: fill(value, feed, context) for key, value in feed.http.params.items()}
    headers = {key: fill(value, feed, context) for key, value in feed.http.headers.items()}
    headers.update(_auth_headers(feed, context))
    try:
        return get(
            url,
            client=context.client,
            policy=context.policy,
            validators=context.validators,
            params=params or None,
            headers=headers,
        )
    except HttpFetchError as error:
        asked = httpx.URL(url).copy_merge_params(params) if params else url
        raise SourceError(str(asked), str(error)) from error  # SourceError hides the query


def _auth_headers(feed: FeedDefinition, context: ReadContext) -> dict[str, str]:
    auth = feed.http.auth
    if auth is None:
        return {}
    secret = context.secrets.get(auth.secret)
    if not secret:
        raise SourceError(feed.location, f"secret {auth.secret!r} for authentication not given")
    if auth.kind == "bearer":
        return {"Authorization": f"Bearer {secret}"}
    if auth.kind == "basic":
        token = base64.b64encode(f"{auth.username or ''}:{secret}".encode()).decode()
        return {"Authorization": f"Basic {token}"}
    return {auth.header: secret}


def looks_like_html(body: HttpBody) -> bool:
    """True when a body is an HTML page (an error or login page where data was expected)."""
    head = body.content[:512].lstrip().lower()
    return "html" in body.content_type.lower() or head.startswith((b"<!doctype html", b"<html"))


def html_title(content: bytes) -> str:
    text = content[:4096].decode("utf-8", errors="replace")
    lower = text.lower()
    start, end = lower.find("<title>"), lower.find("</title>")
    if start == -1 or end <= start:
        return ""
    return text[start + len("<title>") : end].strip()[:120]


def decode(body: HttpBody, location: str) -> str:
    try:
        return body.content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceError(location, f"the body is not UTF-8 text (byte {error.start})") from error
