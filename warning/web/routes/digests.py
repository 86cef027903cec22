"""Digests and bulletins from the web, ``/digests``: for a day, each kind's period, whether it
already went out (its deliveries by status), a preview of its text in the visitor's language
(the desk's copy, as ``warning digest --preview FILE.txt``) and its DOCX bulletin; operators
send one (``POST /digests/send``: ``run_digest`` as ``warning digest`` calls it, audited).
Each period goes out once per recipient: a period that already went is queued for nobody
again, and the page says so."""

from __future__ import annotations

from datetime import date
from typing import Final
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from alerts import Language
from alerts.digest import DigestKind
from warning import clock
from warning.accounts import Role
from warning.api.deps import Context
from warning.api.fields import TextQuery
from warning.audit import record
from warning.clock import desk_today
from warning.context import ServiceContext
from warning.delivery.digests import period_of
from warning.jobs.digest import preview_text, queued_for_period, run_digest
from warning.store import transaction
from warning.web.auth import Visitor, check_csrf, uploader
from warning.web.pages import page, serve
from warning.web.routes.bulletins import FIRST_DAY, LAST_DAY

router = APIRouter(include_in_schema=False)
KINDS: Final = tuple(DigestKind)


def _day(text: str | None, today: date) -> date | None:
    """``text`` as a day between FIRST_DAY and LAST_DAY (empty: today; None: not a day)."""
    if not text:
        return today
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


@router.get("/digests")
async def digests(
    request: Request,
    context: Context,
    kind: TextQuery = None,
    preview: TextQuery = None,
    queued: TextQuery = None,
    already: TextQuery = None,
) -> Response:
    """Each kind's period for ``?date=`` (default today), whether it went, and ``?preview=``
    a kind's text; after a send, ``?queued=`` and ``?already=`` say what it did."""
    on = _day(request.query_params.get("date"), desk_today(context.settings))

    def show(db: Session, person: Visitor) -> Response:
        if on is None:
            return _page(request, db, person, context, None, problem="date", status_code=422)
        shown = DigestKind(preview) if preview in set(DigestKind) else None
        text = (
            preview_text(context, kind=shown, day=on, language=Language(person.language))
            if shown
            else None
        )
        sent = {"queued": _number(queued), "already": _number(already)}
        sent_kind = kind if kind in set(DigestKind) and sent["queued"] is not None else None
        return _page(
            request, db, person, context, on, preview=shown, text=text, sent=sent, kind=sent_kind
        )

    return await serve(request, show)


def _number(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 9 else None


def _page(
    request: Request,
    db: Session,
    person: Visitor,
    context: ServiceContext,
    on: date | None,
    *,
    preview: DigestKind | None = None,
    text: str | None = None,
    sent: dict[str, int | None] | None = None,
    kind: str | None = None,
    problem: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    periods = [
        (kind, *period_of(kind, on), queued_for_period(db, kind=kind, day=on))
        for kind in KINDS
        if on is not None
    ]
    return page(
        request,
        person,
        "digests.html",
        section="board",
        day=on,
        periods=periods,
        preview=preview,
        text=text,
        sent=sent or {},
        sent_kind=kind,
        problem=problem,
        status_code=status_code,
        operator_emails=bool(context.settings.operator_emails),
    )


@router.post("/digests/send")
async def send(request: Request, context: Context) -> Response:
    """Queue a digest for every recipient that has not had its period (operators), audited;
    the delivery worker sends them on its next round."""
    person = await run_in_threadpool(uploader, request, context.factory, Role.OPERATOR)
    form = await request.form(max_files=0, max_fields=4)
    check_csrf(form, person)
    kind, text = form.get("kind"), form.get("date")
    on = _day(text if isinstance(text, str) else None, desk_today(context.settings))
    if kind not in set(DigestKind) or on is None:
        return RedirectResponse("/digests?" + urlencode({"date": text or ""}), status_code=303)
    queued, already = await run_in_threadpool(_send, context, person, DigestKind(kind), on)
    query = {"date": on.isoformat(), "queued": queued, "already": already, "kind": kind}
    return RedirectResponse(f"/digests?{urlencode(query)}#sent", status_code=303)


def _send(context: ServiceContext, person: Visitor, kind: DigestKind, on: date) -> tuple[int, int]:
    """``run_digest`` as ``warning digest`` runs it (its own transaction), then its audit."""
    outcome = run_digest(context, kind=kind, day=on)
    with transaction(context.factory) as session:
        record(
            session,
            at=clock.now(),
            actor=person.name,
            action="digest_sent",
            subject=f"{kind}:{outcome.period_start.isoformat()}",
            after={
                "kind": str(kind),
                "day": on.isoformat(),
                "period_start": outcome.period_start.isoformat(),
                "period_end": outcome.period_end.isoformat(),
                "queued": outcome.queued,
                "already": outcome.already,
            },
        )
    return outcome.queued, outcome.already
