"""The review queue, ``/queue``: open items, escalated first, then by severity, then age;
filters by level, sector, kind of change and state; j/k and Enter work it (``app.js``)."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from vocabulary import ChangeKind, Level
from warning.api.fields import OptionalRowId, TextQuery
from warning.context import ServiceContext
from warning.review.queries import list_items
from warning.review.states import ItemState
from warning.web.pages import serve_kept

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
QUEUE_STATES = (ItemState.PENDING, ItemState.SNOOZED)
DONE = ("approved", "adjusted", "rejected", "snoozed")


T = TypeVar("T")


def _choice(value: str | None, allowed: dict[str, T]) -> T | None:
    return allowed.get(value or "")


@router.get("/queue")
async def queue(
    request: Request,
    level: TextQuery = None,
    sector: TextQuery = None,
    kind: TextQuery = None,
    state: TextQuery = None,
    page_number: Annotated[int, Query(alias="page", ge=1, le=10_000)] = 1,
    done: TextQuery = None,
    item: OptionalRowId = None,
) -> Response:
    """Open review items, one page of them."""
    context: ServiceContext = request.app.state.context
    sectors = sorted({m.sector for m in context.catalog.materials})
    filters = {
        "level": _choice(level, {lv.value: lv for lv in Level}) or "",
        "sector": sector if sector in sectors else "",
        "kind": _choice(kind, {k.value: k for k in ChangeKind}) or "",
        "state": _choice(state, {s.value: s for s in QUEUE_STATES}) or ItemState.PENDING,
    }
    flash = (done, item) if done in DONE and item is not None else (None, None)

    return await serve_kept(
        request,
        "queue.html",
        section="queue",
        key=(tuple(filters.values()), page_number, flash),
        context=lambda db, _person: _content(db, context, filters, sectors, page_number, flash),
    )


def _content(
    db: Session,
    context: ServiceContext,
    filters: dict[str, str],
    sectors: list[str],
    page_number: int,
    flash: tuple[str | None, int | None],
) -> dict[str, Any]:
    items, total = list_items(
        db,
        state=ItemState(filters["state"]),
        level=Level(filters["level"]) if filters["level"] else None,
        sector=filters["sector"] or None,
        kind=ChangeKind(filters["kind"]) if filters["kind"] else None,
        limit=PAGE_SIZE,
        offset=(page_number - 1) * PAGE_SIZE,
    )
    return {
        "items": items,
        "total": total,
        "names": {m.id: (m.name_zh, m.name_en, m.sector) for m in context.catalog.materials},
        "filters": filters,
        "sectors": sectors,
        "levels": [Level.RED, Level.YELLOW, Level.BLUE, Level.NORMAL],
        "kinds": list(ChangeKind),
        "states": QUEUE_STATES,
        "page_number": page_number,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "done": flash[0],
        "done_item": flash[1],
    }
