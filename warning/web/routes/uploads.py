"""An operator loads a data file from the web, ``POST /feeds/upload``: the same job as
``warning ingest-file`` (a long-format CSV or XLSX file checked and stored as one batch,
then derived and evaluated), and the same report: rows accepted, revised, unchanged,
rejected and suspect, each refused row with its line and reason."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from feeds.longformat import FileFormatError
from warning.accounts import Role
from warning.api.deps import Context
from warning.clock import desk_today
from warning.context import ServiceContext
from warning.feeding.ingest import IngestReport
from warning.jobs.ingest import ingest_file
from warning.jobs.pipeline import IngestFollowUp, derive_and_evaluate
from warning.store import read_only
from warning.web.auth import Visitor, check_csrf, declared_too_large, uploader
from warning.web.pages import WebState, page

router = APIRouter(include_in_schema=False)
SUFFIXES: Final = (".csv", ".xlsx")


@router.post("/feeds/upload")
async def upload(request: Request, context: Context) -> Response:
    """Load an uploaded long-format file (operators) and show its report."""
    most = context.settings.max_file_bytes
    refused = declared_too_large(request, most)
    if refused is not None:
        return refused
    person = await run_in_threadpool(uploader, request, context.factory, Role.OPERATOR)
    form = await request.form(max_files=1, max_fields=8)
    check_csrf(form, person)
    sent = form.get("file")
    if not isinstance(sent, UploadFile) or not sent.filename:
        return await _report(request, context, person, problem="choose a CSV or XLSX file")
    name = Path(sent.filename).name
    if Path(name).suffix.lower() not in SUFFIXES:
        return await _report(request, context, person, problem=f"{name}: not a .csv or .xlsx file")
    data = await sent.read(most + 1)
    state: WebState = request.app.state.web
    try:
        report, follow_up = await run_in_threadpool(_load, context, state, name, data)
    except FileFormatError as error:
        return await _report(request, context, person, problem=str(error), name=name)
    return await _report(request, context, person, report=report, follow_up=follow_up, name=name)


def _load(
    context: ServiceContext, state: WebState, name: str, data: bytes
) -> tuple[IngestReport, IngestFollowUp]:
    """What ``warning ingest-file`` does with the file, from a copy under its own name."""
    with tempfile.TemporaryDirectory(prefix="warning-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        report = ingest_file(
            context.factory,
            path,
            today=desk_today(context.settings),
            max_bytes=context.settings.max_file_bytes,
            max_unpacked=context.settings.max_unpacked_bytes,
        )
    follow_up = derive_and_evaluate(
        context, ruleset=state.ruleset, stored=report.stored, trigger="web-upload"
    )
    return report, follow_up


async def _report(
    request: Request,
    context: ServiceContext,
    person: Visitor,
    *,
    report: IngestReport | None = None,
    follow_up: IngestFollowUp | None = None,
    problem: str | None = None,
    name: str = "",
) -> HTMLResponse:
    def show() -> HTMLResponse:
        with read_only(context.factory):
            return page(
                request,
                person,
                "upload.html",
                section="feeds",
                status_code=200 if report is not None else 422,
                report=report,
                follow_up=follow_up,
                problem=problem,
                filename=name,
            )

    return await run_in_threadpool(show)
