"""Deliveries, ``/deliveries`` (operators): the outbox by status, newest first, each with
its contact, channel, target, attempts and last error; a dead delivery is replayed from here
(audited, sent again with the same id so receivers drop duplicates)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from alerts import EndpointKind
from warning import clock
from warning.accounts import Role
from warning.api.deps import Db
from warning.api.fields import OptionalRowId, RowId, TextQuery
from warning.delivery.listing import delivery_count, delivery_rows
from warning.delivery.models import DeliveryStatus
from warning.delivery.outbox import replay, status_counts
from warning.review.lifecycle import InvalidMove, ItemNotFound
from warning.web.auth import CheckedForm, Operator, RoleRefused, Visitor
from warning.web.pages import page, serve
from warning.web.paging import Pager

router = APIRouter(include_in_schema=False)
ROWS = 50
PROBLEMS = ("gone", "not-dead")


@router.get("/deliveries")
async def deliveries(
    request: Request,
    status: TextQuery = None,
    channel: TextQuery = None,
    replayed: OptionalRowId = None,
    problem: TextQuery = None,
    page_number: Annotated[int, Query(alias="page", ge=1, le=10_000)] = 1,
) -> Response:
    """The outbox; ``?status=dead`` (or another status) and ``?channel=`` narrow it; 50 a
    page, newest first."""
    chosen = DeliveryStatus(status) if status in set(DeliveryStatus) else None
    chosen_channel = EndpointKind(channel) if channel in set(EndpointKind) else None
    query = {"status": chosen or "", "channel": chosen_channel or ""}

    def show(db: Session, person: Visitor) -> Response:
        if not person.may(Role.OPERATOR):
            raise RoleRefused(Role.OPERATOR)
        total = delivery_count(db, status=chosen, channel=chosen_channel)
        pager = Pager(page_number, ROWS, total)
        return page(
            request,
            person,
            "deliveries.html",
            section="deliveries",
            counts=status_counts(db),
            statuses=list(DeliveryStatus),
            channels=list(EndpointKind),
            chosen=chosen,
            chosen_channel=chosen_channel,
            rows=delivery_rows(
                db, status=chosen, channel=chosen_channel, limit=ROWS, offset=pager.offset
            ),
            pager=pager,
            query={key: str(value) for key, value in query.items() if value},
            replayed=replayed,
            problem=problem if problem in PROBLEMS else None,
        )

    return await serve(request, show)


@router.post("/deliveries/{delivery_id}/replay")
def replay_delivery(delivery_id: RowId, db: Db, person: Operator, form: CheckedForm) -> Response:
    """Send a dead delivery again, with a fresh set of retries."""
    try:
        replay(db, delivery_id=delivery_id, actor=person.name, now=clock.now())
    except ItemNotFound:
        return RedirectResponse("/deliveries?problem=gone", status_code=303)
    except InvalidMove:
        return RedirectResponse("/deliveries?problem=not-dead", status_code=303)
    return RedirectResponse(f"/deliveries?status=dead&replayed={delivery_id}", status_code=303)
