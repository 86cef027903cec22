"""An operator derives series again from the web, ``POST /feeds/derive``: the job of
``warning derive`` (every derived series, or one and its siblings, recomputed from its
source's whole history, then the materials evaluated again), with the report the command
prints, audited."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from vocabulary import Level
from warning import clock
from warning.accounts import Role
from warning.api.deps import Context
from warning.audit import record
from warning.context import ServiceContext
from warning.errors import ServiceError
from warning.jobs.pipeline import IngestFollowUp, rederive_and_evaluate
from warning.store import read_only, transaction
from warning.web.auth import Visitor, check_csrf, uploader
from warning.web.pages import WebState, page

router = APIRouter(include_in_schema=False)
MOST_FIELDS = 4


@router.post("/feeds/derive")
async def derive(request: Request, context: Context) -> Response:
    """Derive every derived series again (or ``series`` and its siblings), then evaluate;
    show what was derived and the evaluation's levels (operators)."""
    person = await run_in_threadpool(uploader, request, context.factory, Role.OPERATOR)
    form = await request.form(max_files=0, max_fields=MOST_FIELDS)
    check_csrf(form, person)
    asked = form.get("series")
    series_id = asked.strip() if isinstance(asked, str) and asked.strip() else None
    state: WebState = request.app.state.web
    try:
        follow_up = await run_in_threadpool(_derive, context, state, person, series_id)
    except ServiceError as refused:
        return await _report(request, context, person, series_id, problem=str(refused))
    return await _report(request, context, person, series_id, follow_up=follow_up)


def _derive(
    context: ServiceContext, state: WebState, person: Visitor, series_id: str | None
) -> IngestFollowUp:
    """What ``warning derive`` does (no transaction is open meanwhile), then its audit entry."""
    follow_up = rederive_and_evaluate(context, ruleset=state.ruleset, series_id=series_id)
    reports = follow_up.derivation.reports
    with transaction(context.factory) as session:
        record(
            session,
            at=clock.now(),
            actor=person.name,
            action="series_derived",
            subject=series_id,
            after={
                "series": series_id or "*",
                "new": sum(r.accepted for r in reports),
                "revised": sum(r.revised for r in reports),
                "unchanged": sum(r.unchanged for r in reports),
                "failed": [f.source_id for f in follow_up.derivation.failures],
                "evaluated": follow_up.evaluation.as_of.isoformat()
                if follow_up.evaluation
                else None,
            },
        )
    return follow_up


def level_counts(follow_up: IngestFollowUp | None) -> list[tuple[str, int]]:
    """How many materials the evaluation put at each level, red first (as the command's
    ``Evaluated as of ...`` line)."""
    if follow_up is None or follow_up.evaluation is None:
        return []
    counts = Counter(str(a.level) for a in follow_up.evaluation.assessments)
    return [(str(level), counts[level]) for level in reversed(Level) if counts[level]]


async def _report(
    request: Request,
    context: ServiceContext,
    person: Visitor,
    series_id: str | None,
    *,
    follow_up: IngestFollowUp | None = None,
    problem: str | None = None,
) -> HTMLResponse:
    def show() -> HTMLResponse:
        with read_only(context.factory):
            return page(
                request,
                person,
                "derive.html",
                section="feeds",
                status_code=422 if problem else 200,
                series_id=series_id,
                follow_up=follow_up,
                counts=level_counts(follow_up),
                problem=problem,
            )

    return await run_in_threadpool(show)
