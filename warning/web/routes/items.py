"""A review item, ``/items/{id}``, and its decisions: approve, reject, adjust, snooze.

Decisions are forms (with the session's CSRF token) posted by operators; the keys a, r, e and
s go to each form (``app.js``). A decision goes back to the queue; a refused one (a decided
item, a missing reason, a snooze in the past) shows the item again with why (409).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from alerts import Language
from vocabulary import Direction, Level
from warning import clock
from warning.api.deps import Context, Db
from warning.api.fields import Line, Lines, RowId, TextQuery
from warning.clock import desk_now, desk_zone
from warning.context import ServiceContext
from warning.delivery.test_send import queue_test_send
from warning.errors import HTTP_STATUS, ServiceError
from warning.review import decisions
from warning.review.lifecycle import InvalidMove, ItemNotFound
from warning.store import read_only
from warning.web.auth import CheckedForm, Operator, Visitor
from warning.web.item import item_view
from warning.web.pages import WebState, page, serve, serve_kept

router = APIRouter(include_in_schema=False)
Text = Annotated[Lines, Form(max_length=4000)]
LongText = Annotated[Lines, Form(max_length=8000)]


def _content(
    db: Session,
    request: Request,
    person: Visitor,
    state: WebState,
    context: ServiceContext,
    item_id: int,
) -> dict[str, Any]:
    """What item.html shows (:class:`ItemNotFound` for an unknown item)."""
    view = item_view(
        db,
        item_id=item_id,
        levels=state.levels,
        words=state.templates.words(person.language),
        now=clock.now(),
    )
    material = next(m for m in context.catalog.materials if m.id == view.item.material_id)
    snooze_default = (desk_now(context.settings) + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M")
    return {
        "view": view,
        "material": material,
        "test_addresses": list(context.settings.operator_emails),
        "languages": [Language.ZH, Language.EN],
        "snooze_default": snooze_default,
        "decidable": [Level.NORMAL, Level.BLUE, Level.YELLOW, Level.RED],
        "directions": [Direction.UP, Direction.DOWN],
    }


def _not_found(request: Request, person: Visitor, item_id: int) -> HTMLResponse:
    return page(
        request, person, "not_found.html", section="queue", what=f"#{item_id}", status_code=404
    )


def _show(
    request: Request,
    db: Session,
    person: Visitor,
    state: WebState,
    context: ServiceContext,
    item_id: int,
    *,
    problem: str,
    status_code: int,
) -> HTMLResponse:
    """The item page with why a decision was refused (not kept: it is one visitor's)."""
    try:
        content = _content(db, request, person, state, context, item_id)
    except ItemNotFound:
        return _not_found(request, person, item_id)
    return page(
        request,
        person,
        "item.html",
        section="queue",
        problem=problem,
        test_queued=False,
        status_code=status_code,
        **content,
    )


@router.get("/items/{item_id}")
async def item(item_id: RowId, request: Request, test: TextQuery = None) -> Response:
    """The item page (``?test=queued``: after a test send, saying so)."""
    state: WebState = request.app.state.web
    context: ServiceContext = request.app.state.context

    try:
        return await serve_kept(
            request,
            "item.html",
            section="queue",
            key=item_id,
            context=lambda db, person: {
                "problem": None,
                "test_queued": test == "queued",
                **_content(db, request, person, state, context, item_id),
            },
        )
    except ItemNotFound:
        return await serve(request, lambda _db, person: _not_found(request, person, item_id))


def _done(item_id: int, action: str) -> Response:
    return RedirectResponse(f"/queue?done={action}&item={item_id}", status_code=303)


@router.post("/items/{item_id}/approve")
def approve(
    item_id: RowId,
    db: Db,
    person: Operator,
    form: CheckedForm,
    comment: Text = "",
) -> Response:
    """Approve the proposal as it stands."""
    try:
        decisions.approve(
            db, item_id=item_id, actor=person.name, comment=comment or None, now=clock.now()
        )
    except ServiceError as refused:
        raise _refused(item_id, refused, person) from None
    return _done(item_id, "approved")


@router.post("/items/{item_id}/reject")
def reject(
    item_id: RowId,
    db: Db,
    person: Operator,
    form: CheckedForm,
    reason: Text = "",
) -> Response:
    """Reject the proposal; a reason is required."""
    try:
        decisions.reject(db, item_id=item_id, actor=person.name, reason=reason, now=clock.now())
    except ServiceError as refused:
        raise _refused(item_id, refused, person) from None
    return _done(item_id, "rejected")


@router.post("/items/{item_id}/adjust")
def adjust(
    item_id: RowId,
    db: Db,
    person: Operator,
    form: CheckedForm,
    reason: Text = "",
    level: Annotated[Line, Form(max_length=16)] = "",
    direction: Annotated[Line, Form(max_length=8)] = "",
    text_zh: LongText = "",
    text_en: LongText = "",
) -> Response:
    """Approve with a changed level, direction or text; a reason is required."""
    try:
        decisions.adjust(
            db,
            item_id=item_id,
            actor=person.name,
            reason=reason,
            now=clock.now(),
            level=Level(level) if level in set(Level) else None,
            direction=Direction(direction) if direction in {"up", "down"} else None,
            text_zh=text_zh.strip() or None,
            text_en=text_en.strip() or None,
        )
    except ServiceError as refused:
        raise _refused(item_id, refused, person) from None
    return _done(item_id, "adjusted")


@router.post("/items/{item_id}/snooze")
def snooze(
    item_id: RowId,
    db: Db,
    person: Operator,
    form: CheckedForm,
    context: Context,
    until: Annotated[Line, Form(max_length=32)] = "",
    comment: Text = "",
) -> Response:
    """Put the item aside until a time (the form's time is the desk's)."""
    try:
        moment = datetime.fromisoformat(until)
    except ValueError:
        problem = InvalidMove(item_id, f"snooze until {until!r}: expected a date and time")
        raise _refused(item_id, problem, person) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=desk_zone(context.settings))
    try:
        decisions.snooze(
            db,
            item_id=item_id,
            actor=person.name,
            until=moment,
            comment=comment or None,
            now=clock.now(),
        )
    except ServiceError as refused:
        raise _refused(item_id, refused, person) from None
    return _done(item_id, "snoozed")


@router.post("/items/{item_id}/test-send")
def test_send(
    item_id: RowId,
    db: Db,
    person: Operator,
    form: CheckedForm,
    context: Context,
    address: Annotated[Line, Form(max_length=320)] = "",
    language: Annotated[Line, Form(max_length=8)] = "",
) -> Response:
    """Send the notice approving the item would send, marked as a test, to one of the desk's
    addresses (``WARNING_OPERATOR_EMAILS``) through the outbox; audited on the item."""
    try:
        queue_test_send(
            db,
            item_id=item_id,
            address=address,
            allowed=context.settings.operator_emails,
            name=person.name,
            language=Language(language) if language in {"zh", "en"} else Language.ZH,
            actor=person.name,
            now=clock.now(),
        )
    except ServiceError as refused:
        raise _refused(item_id, refused, person) from None
    return RedirectResponse(f"/items/{item_id}?test=queued", status_code=303)


class DecisionRefused(Exception):
    """A decision the lifecycle refused: the request's transaction rolls back (nothing of the
    move is kept) and the item is shown again with why."""

    def __init__(self, item_id: int, reason: str, status_code: int, person: Visitor) -> None:
        self.item_id, self.reason, self.status_code, self.person = (
            item_id,
            reason,
            status_code,
            person,
        )
        super().__init__(reason)


def _refused(item_id: int, refused: ServiceError, person: Visitor) -> DecisionRefused:
    """The item shown again with why, at the status of the error's kind (409 for a move the
    lifecycle refuses, 404 for no such item)."""
    reason = refused.reason if isinstance(refused, InvalidMove) else str(refused)
    return DecisionRefused(item_id, reason, HTTP_STATUS[refused.kind], person)


def show_refused(request: Request, error: Exception) -> Response:
    """The app's handler of :class:`DecisionRefused`: the item again, read afresh."""
    assert isinstance(error, DecisionRefused)
    context: ServiceContext = request.app.state.context
    state: WebState = request.app.state.web
    with read_only(context.factory) as db:
        return _show(
            request,
            db,
            error.person,
            state,
            context,
            error.item_id,
            problem=error.reason,
            status_code=error.status_code,
        )
