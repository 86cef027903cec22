"""Feeds, ``/feeds``: each feed's last run and status, recent runs, stale series, suspect
values (an operator clears a flag with a reason; the week it belongs to is derived again),
and rejected rows with their line and reason."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from warning import clock
from warning.api.deps import Context, Db
from warning.api.fields import Line, Lines, TextQuery
from warning.clock import evaluation_date
from warning.context import ServiceContext
from warning.feeding.feed_runs import feed_states
from warning.feeding.staleness import stale_series
from warning.feeding.status import recent_runs, rejected_rows
from warning.feeding.suspects import SuspectNotFound, clear_suspect, suspect_values
from warning.jobs.canary import load_report
from warning.jobs.suspects import derive_after_clearing
from warning.web.auth import CheckedForm, Operator, Visitor
from warning.web.pages import State, WebState, page, serve

router = APIRouter(include_in_schema=False)
ROWS = 100


@router.get("/feeds")
async def feeds(request: Request, cleared: TextQuery = None, problem: TextQuery = None) -> Response:
    """The feeds page."""
    context: ServiceContext = request.app.state.context
    state: WebState = request.app.state.web

    def show(db: Session, person: Visitor) -> Response:
        as_of = evaluation_date(context.settings)
        states = feed_states(db)
        return page(
            request,
            person,
            "feeds.html",
            section="feeds",
            as_of=as_of,
            feeds=[(feed, states.get(feed.id)) for feed in state.definitions.feeds],
            runs=recent_runs(db, limit=20),
            stale=stale_series(db, as_of=as_of, definitions=state.definitions),
            suspects=suspect_values(db, limit=ROWS),
            rejects=rejected_rows(db, limit=ROWS),
            cleared=cleared,
            problem=problem if problem in ("reason", "unknown") else None,
            canary=load_report(context.settings),
            unsourced=sorted(state.definitions.unsourced.items()),
        )

    return await serve(request, show)


@router.post("/feeds/suspects/clear")
def clear(
    request: Request,
    db: Db,
    context: Context,
    person: Operator,
    form: CheckedForm,
    state: State,
    background: BackgroundTasks,
    series_id: Annotated[Line, Form(max_length=128)] = "",
    period: Annotated[Line, Form(max_length=10)] = "",
    reason: Annotated[Lines, Form(max_length=4000)] = "",
) -> Response:
    """Clear a suspect flag (audited); then derive its period again and evaluate."""
    if not reason.strip():
        return RedirectResponse("/feeds?problem=reason#suspects", status_code=303)
    try:
        cleared = clear_suspect(
            db,
            series_id=series_id,
            period=date.fromisoformat(period),
            reason=reason,
            actor=person.name,
            now=clock.now(),
        )
    except (SuspectNotFound, ValueError):
        return RedirectResponse("/feeds?problem=unknown#suspects", status_code=303)
    # after the response: the request's transaction (flag and audit) has committed by then
    background.add_task(derive_after_clearing, context, ruleset=state.ruleset, cleared=cleared)
    return RedirectResponse(f"/feeds?cleared={series_id}:{period}#suspects", status_code=303)
