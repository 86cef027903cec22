"""Feeds, ``/feeds``: each feed's last run and status, recent runs, stale series, suspect
values (an operator clears a flag with a reason; the week it belongs to is derived again),
and rejected rows with their line and reason."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from warning import clock
from warning.api.deps import Context, Db
from warning.api.fields import Line, Lines, TextQuery
from warning.catalog.models import Series
from warning.clock import evaluation_date
from warning.context import ServiceContext
from warning.feeding.feed_runs import feed_states
from warning.feeding.staleness import stale_series
from warning.feeding.status import recent_runs, rejected_count, rejected_rows
from warning.feeding.suspects import (
    SuspectNotFound,
    clear_suspect,
    suspect_count,
    suspect_values,
)
from warning.jobs.canary import load_report
from warning.jobs.cross_checks import load_report as load_cross_checks
from warning.jobs.suspects import derive_after_clearing
from warning.web.auth import CheckedForm, Operator, Visitor
from warning.web.pages import State, WebState, page, serve
from warning.web.paging import PageNumber, Pager

router = APIRouter(include_in_schema=False)
ROWS = 25  # a page of each list


@router.get("/feeds")
async def feeds(
    request: Request,
    cleared: TextQuery = None,
    problem: TextQuery = None,
    material: TextQuery = None,
    feed: TextQuery = None,
    stale_page: PageNumber = 1,
    suspect_page: PageNumber = 1,
    reject_page: PageNumber = 1,
) -> Response:
    """The feeds page; ``?material=`` narrows the stale and suspect lists, ``?feed=`` the
    rejected rows; each list has its own page parameter."""
    context: ServiceContext = request.app.state.context
    state: WebState = request.app.state.web
    chosen = material if material in context.catalog.material_ids else None
    feed_ids = [f.id for f in state.definitions.feeds]
    chosen_feed = feed if feed in feed_ids else None
    query = {"material": chosen or "", "feed": chosen_feed or ""}
    query = {key: value for key, value in query.items() if value}
    pages = {"stale_page": stale_page, "suspect_page": suspect_page, "reject_page": reject_page}

    def show(db: Session, person: Visitor) -> Response:
        as_of = evaluation_date(context.settings)
        states = feed_states(db)
        stale = [
            row
            for row in stale_series(db, as_of=as_of, definitions=state.definitions)
            if chosen is None or row[0].material == chosen
        ]
        stale_pager = Pager(stale_page, ROWS, len(stale), "stale_page")
        suspect_pager = Pager(
            suspect_page, ROWS, suspect_count(db, material_id=chosen), "suspect_page"
        )
        reject_pager = Pager(
            reject_page, ROWS, rejected_count(db, feed_id=chosen_feed), "reject_page"
        )
        return page(
            request,
            person,
            "feeds.html",
            section="feeds",
            as_of=as_of,
            feeds=[(f, states.get(f.id)) for f in state.definitions.feeds],
            runs=recent_runs(db, limit=20),
            stale=stale_pager.window(stale),
            suspects=suspect_values(
                db, material_id=chosen, limit=ROWS, offset=suspect_pager.offset
            ),
            rejects=rejected_rows(db, feed_id=chosen_feed, limit=ROWS, offset=reject_pager.offset),
            pagers={"stale": stale_pager, "suspects": suspect_pager, "rejects": reject_pager},
            query={**query, **{k: str(v) for k, v in pages.items() if v > 1}},
            filters={"material": chosen or "", "feed": chosen_feed or ""},
            materials=context.catalog.materials,
            feed_ids=feed_ids,
            cleared=cleared,
            problem=problem if problem in ("reason", "unknown") else None,
            canary=load_report(context.settings),
            cross_checks=load_cross_checks(context.settings),
            unsourced=sorted(state.definitions.unsourced.items()),
            derived=derived_series(db),
        )

    return await serve(request, show)


def derived_series(db: Session) -> list[Series]:
    """The series the service derives (``derived_from`` in the catalog), by id."""
    return list(
        db.scalars(select(Series).where(Series.derived_from.is_not(None)).order_by(Series.id))
    )


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
