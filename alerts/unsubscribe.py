"""Signed one-click unsubscribe links (RFC 8058): the link in ``List-Unsubscribe`` and in the
footer, and the check the web page makes when it is opened or POSTed to.

``unsubscribe_url(public_url, contact_id, secret, scope="all")`` gives
``{public_url}/unsubscribe?t=<token>``; the token is the base64url of ``contact_id`` and
``scope`` with an HMAC-SHA256 of both under ``secret``. :func:`read_unsubscribe_token` gives
back ``(contact_id, scope)`` or None for a token that was not signed with ``secret``. Tokens do
not expire: an unsubscribe link must keep working for as long as the mail is kept.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(payload: bytes, secret: str) -> bytes:
    return hmac.new(secret.encode("utf-8"), b"unsubscribe\n" + payload, hashlib.sha256).digest()


def unsubscribe_token(contact_id: str, secret: str, *, scope: str = "all") -> str:
    """``<payload>.<signature>``, both base64url without padding."""
    if not secret:
        raise ValueError("an unsubscribe secret is needed")
    payload = f"{contact_id}\n{scope}".encode()
    return f"{_b64(payload)}.{_b64(_mac(payload, secret))}"


def unsubscribe_url(public_url: str, contact_id: str, secret: str, *, scope: str = "all") -> str:
    """The https link to the unsubscribe page for this contact (``WARNING_PUBLIC_URL``)."""
    token = unsubscribe_token(contact_id, secret, scope=scope)
    return f"{public_url.rstrip('/')}/unsubscribe?t={quote(token, safe='.-_')}"


def read_unsubscribe_token(token: str, secret: str) -> tuple[str, str] | None:
    """``(contact_id, scope)`` for a token signed with ``secret``; None otherwise."""
    payload_text, dot, signature_text = token.partition(".")
    if not dot or not secret:
        return None
    try:
        payload = _unb64(payload_text)
        signature = _unb64(signature_text)
    except ValueError:
        return None
    if not hmac.compare_digest(signature, _mac(payload, secret)):
        return None
    contact_id, newline, scope = payload.decode("utf-8", "replace").partition("\n")
    return (contact_id, scope) if newline else None
