"""Security headers on every answer, and how the pages' cookies are set.

- ``Content-Security-Policy``: scripts, styles, images and connections from this origin
  only (style attributes allowed, for the charts' tooltips; no ``<style>`` element), no
  inline script (the pages' JavaScript is in static files), no plugins, no framing
  (``frame-ancestors 'none'``), forms post only here.
- ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY``, ``Referrer-Policy``,
  ``Cross-Origin-Opener-Policy``; ``Strict-Transport-Security`` over https.
- Pages are ``Cache-Control: no-store`` (they hold data and CSRF tokens); static files, whose
  URLs carry a hash of their content, may be kept for a year.

Cookies are ``HttpOnly`` and ``SameSite=Lax``, and ``Secure`` when the request came over https
(behind a proxy named in ``WARNING_TRUSTED_PROXIES``, its X-Forwarded-Proto makes the scheme
the client's).
"""

from __future__ import annotations

from typing import Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY: Final = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # style attributes only (no <style> element, no inline script): ECharts and Swagger
        # UI position tooltips and panels with them
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
_COMMON: Final = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
_HSTS: Final = (b"strict-transport-security", b"max-age=31536000")
_STATIC_CACHE: Final = (b"cache-control", b"public, max-age=31536000, immutable")
_NO_STORE: Final = (b"cache-control", b"no-store")


class SecurityHeaders:
    """ASGI middleware adding the headers above to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        extra = list(_COMMON)
        if scope.get("scheme") == "https":
            extra.append(_HSTS)
        caching = _STATIC_CACHE if path.startswith("/static/") else _NO_STORE

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [h for h in extra if h[0] not in present]
                if b"cache-control" not in present:
                    headers.append(caching)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def set_cookie(
    response: Response,
    request: Request,
    name: str,
    value: str,
    *,
    max_age: int | None = None,
) -> None:
    """A cookie for this site: HttpOnly, SameSite=Lax, Secure over https."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def clear_cookie(response: Response, request: Request, name: str) -> None:
    response.delete_cookie(
        name, path="/", httponly=True, samesite="lax", secure=request.url.scheme == "https"
    )
