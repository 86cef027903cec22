"""For the platform that runs the service: ``/readyz`` and ``/metrics``, without a login.

``GET /readyz``: 200 ``{"status": "ready"}`` when this replica can serve, else 503 with the
reasons: the database unreachable or not at the newest migration, the jobs process of this
``serve`` gone (where it has one), the trading calendar the staleness of daily series
relies on ending within :data:`CALENDAR_WARNING` (its table needs the coming years).

``GET /metrics``: Prometheus' text format (:mod:`warning.api.metrics`); when
``WARNING_METRICS_ALLOW`` names addresses, a client outside them gets 403.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from datetime import timedelta
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from feeds.calendar import covered_until
from warning.clock import desk_today
from warning.context import ServiceContext
from warning.store import StoreError, check_store

router = APIRouter(include_in_schema=False)
CALENDAR_WARNING: Final = timedelta(days=90)
ReadyCheck = Callable[[], str | None]  # a reason this replica is not ready, or None


def not_ready(context: ServiceContext, extra: list[ReadyCheck]) -> list[str]:
    """Why this replica is not ready (empty when it is)."""
    reasons = []
    try:
        check_store(context.engine)
    except StoreError as error:
        reasons.append(str(error))
    ends = covered_until()
    if desk_today(context.settings) + CALENDAR_WARNING > ends:
        reasons.append(
            f"the trading calendar ends on {ends.isoformat()}: add the coming years' Lunar "
            "New Year dates to feeds/calendar.py"
        )
    reasons += [reason for check in extra if (reason := check()) is not None]
    return reasons


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """200 when ready; 503 with the reasons when not."""
    reasons = not_ready(request.app.state.context, request.app.state.ready_checks)
    if reasons:
        return JSONResponse({"status": "not ready", "reasons": reasons}, status_code=503)
    return JSONResponse({"status": "ready"})


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """The metrics in Prometheus' text format, to the addresses allowed."""
    allowed = metrics_networks(request.app.state.context.settings.metrics_allow)
    client = request.client.host if request.client else ""
    if allowed and not _inside(client, allowed):
        return JSONResponse({"detail": "metrics are not served to this address"}, 403)
    return Response(generate_latest(request.app.state.metrics), media_type=CONTENT_TYPE_LATEST)


def metrics_networks(setting: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """The networks of ``WARNING_METRICS_ALLOW`` (an address is a network of one)."""
    return [ipaddress.ip_network(part.strip()) for part in setting.split(",") if part.strip()]


def _inside(client: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return False
    return any(address in network for network in networks)
