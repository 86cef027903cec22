"""The review queue, ``/queue``: open items, escalated first, then by severity, then age;
filters by level, sector, kind of change and state; j/k and Enter work it (``app.js``)."""

from __future__ import annotations

from typing import Annotated, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from vocabulary import ChangeKind, Level
from warning.api.deps import Context, Db
from warning.review.queries import list_items
from warning.review.states import ItemState
from warning.web.auth import CurrentVisitor
from warning.web.pages import page

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
QUEUE_STATES = (ItemState.PENDING, ItemState.SNOOZED)
DONE = ("approved", "adjusted", "rejected", "snoozed")


T = TypeVar("T")


def _choice(value: str | None, allowed: dict[str, T]) -> T | None:
    return allowed.get(value or "")


@router.get("/queue")
def queue(
    request: Request,
    db: Db,
    context: Context,
    person: CurrentVisitor,
    level: str | None = None,
    sector: str | None = None,
    kind: str | None = None,
    state: str | None = None,
    page_number: Annotated[int, Query(alias="page", ge=1, le=10_000)] = 1,
    done: str | None = None,
    item: int | None = None,
) -> HTMLResponse:
    """Open review items, one page of them."""
    sectors = sorted({m.sector for m in context.catalog.materials})
    chosen_level = _choice(level, {lv.value: lv for lv in Level})
    chosen_kind = _choice(kind, {k.value: k for k in ChangeKind})
    chosen_state = _choice(state, {s.value: s for s in QUEUE_STATES}) or ItemState.PENDING
    chosen_sector = sector if sector in sectors else None
    items, total = list_items(
        db,
        state=chosen_state,
        level=chosen_level,
        sector=chosen_sector,
        kind=chosen_kind,
        limit=PAGE_SIZE,
        offset=(page_number - 1) * PAGE_SIZE,
    )
    names = {m.id: (m.name_zh, m.name_en, m.sector) for m in context.catalog.materials}
    filters = {
        "level": chosen_level or "",
        "sector": chosen_sector or "",
        "kind": chosen_kind or "",
        "state": chosen_state,
    }
    return page(
        request,
        person,
        "queue.html",
        section="queue",
        items=items,
        total=total,
        names=names,
        filters=filters,
        sectors=sectors,
        levels=[Level.RED, Level.YELLOW, Level.BLUE, Level.NORMAL],
        kinds=list(ChangeKind),
        states=QUEUE_STATES,
        page_number=page_number,
        pages=max(1, -(-total // PAGE_SIZE)),
        done=done if done in DONE else None,
        done_item=item,
    )
