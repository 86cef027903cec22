"""Signed links to a warning's own public page: read-only, no account, expiring.

``warning_token(warning_id, issued, secret)`` gives ``<payload>.<signature>`` (base64url): the
warning's id and the second the link was issued, with an HMAC-SHA256 of both under ``secret``
(the purpose is part of what is signed, so an unsubscribe token never opens a warning page).
:func:`read_warning_token` gives back ``(warning_id, issued)`` or None for a token that was not
signed with ``secret``. Expiry and revocation are the service's: it knows how long links live
and when a warning's links were revoked.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

PURPOSE = b"warning-page\n"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(payload: bytes, secret: str) -> bytes:
    return hmac.new(secret.encode("utf-8"), PURPOSE + payload, hashlib.sha256).digest()


def warning_token(warning_id: int, issued: datetime, secret: str) -> str:
    """The token of a link to warning ``warning_id``, issued at ``issued`` (aware)."""
    if not secret:
        raise ValueError("a signing secret is needed")
    payload = f"{warning_id}\n{int(issued.timestamp())}".encode()
    return f"{_b64(payload)}.{_b64(_mac(payload, secret))}"


def warning_url(public_url: str, warning_id: int, issued: datetime, secret: str) -> str:
    """``{public_url}/w/<token>``: the warning's public page."""
    return f"{public_url.rstrip('/')}/w/{warning_token(warning_id, issued, secret)}"


def read_warning_token(token: str, secret: str) -> tuple[int, datetime] | None:
    """``(warning_id, issued)`` of a token signed with ``secret``; None otherwise."""
    payload_text, dot, signature_text = token.partition(".")
    if not dot or not secret or len(token) > 256:
        return None
    try:
        payload, signature = _unb64(payload_text), _unb64(signature_text)
    except ValueError:
        return None
    if not hmac.compare_digest(signature, _mac(payload, secret)):
        return None
    warning_text, newline, issued_text = payload.decode("utf-8", "replace").partition("\n")
    if not newline or not warning_text.isdigit() or not issued_text.isdigit():
        return None
    if len(warning_text) > 18 or len(issued_text) > 12:
        return None
    return int(warning_text), datetime.fromtimestamp(int(issued_text), tz=UTC)
