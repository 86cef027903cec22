"""A feed URL as it may be shown or logged: what it names, never the secrets it may carry.

A feed's location, its parameters or a redirect's target may carry a token in the query
(``?token=...``) or in the user information (``https://user:secret@host``). Every message,
log line or stored run names such a URL through :func:`shown_url`, which keeps the scheme,
host, port, path and the names of the query's parameters, and writes ``***`` for each value
and for the user information. A local path is shown as it is.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import urlsplit, urlunsplit

HIDDEN: Final = "***"


def shown_url(url: object) -> str:
    """``url`` (text or an ``httpx.URL``) with its query values and user information hidden;
    text that is no http(s) URL as it is."""
    text = str(url)
    if not text.lower().startswith(("http://", "https://")):
        return text
    try:
        parts = urlsplit(text)
    except ValueError:  # an unparseable URL: show the part before its query only
        head = text.split("?", 1)[0].split("#", 1)[0]
        return head if head == text else f"{head}?{HIDDEN}"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{HIDDEN}@{netloc.rsplit('@', 1)[1]}"
    query = "&".join(_hidden_parameter(part) for part in parts.query.split("&") if part)
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def _hidden_parameter(parameter: str) -> str:
    name, equals, _ = parameter.partition("=")
    return f"{name}={HIDDEN}" if equals else HIDDEN
