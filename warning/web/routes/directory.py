"""Directory, ``/directory`` (operators): the whitelist enterprises' contacts, what they
subscribe to and their endpoints; the whole directory as CSV or XLSX; and (admins) an import
of such a file: every row is checked first, and a file with any refused row imports nothing."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Annotated, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from warning.accounts import Role
from warning.api.deps import Context
from warning.api.fields import Line, PathName
from warning.context import ServiceContext
from warning.directory.listing import contact_lines, directory_counts
from warning.directory.rows import REQUIRED, DirectoryFileError, RowError
from warning.jobs.directory import directory_file, import_upload
from warning.store import read_only
from warning.web.auth import (
    Admin,
    RoleRefused,
    Visitor,
    check_csrf,
    declared_too_large,
    uploader,
)
from warning.web.pages import page, serve

router = APIRouter(include_in_schema=False)
PAGE_SIZE: Final = 100
MAX_UPLOAD: Final = 5 * 1024 * 1024  # bytes; the 268 enterprises' file is a few dozen KiB
SUFFIXES: Final = (".csv", ".xlsx")
XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _show(
    request: Request,
    db: Session,
    person: Visitor,
    *,
    search: str = "",
    page_number: int = 1,
    imported: tuple[int, int] | None = None,
    rejects: tuple[RowError, ...] = (),
    problem: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    if not person.may(Role.OPERATOR):
        raise RoleRefused(Role.OPERATOR)
    contacts = contact_lines(
        db, search=search, limit=PAGE_SIZE + 1, offset=(page_number - 1) * PAGE_SIZE
    )
    return page(
        request,
        person,
        "directory.html",
        section="directory",
        counts=directory_counts(db),
        contacts=contacts[:PAGE_SIZE],
        more=len(contacts) > PAGE_SIZE,
        search=search,
        page_number=page_number,
        imported=imported,
        rejects=rejects,
        problem=problem,
        required_columns=REQUIRED,
        status_code=status_code,
    )


@router.get("/directory")
async def directory(
    request: Request,
    q: Annotated[Line, Query(max_length=200)] = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=10_000)] = 1,
    imported: Annotated[Line, Query(max_length=40)] = "",
) -> Response:
    """The contacts, 100 a page; ``?q=`` searches enterprise, credit code, name and email."""
    counts = tuple(int(n) for n in imported.split(",")[:2] if n.isdigit())
    done = (counts[0], counts[1]) if len(counts) == 2 else None
    return await serve(
        request,
        lambda db, person: _show(
            request, db, person, search=q, page_number=page_number, imported=done
        ),
    )


@router.get("/directory/export.{suffix}")
def export(suffix: PathName, context: Context, person: Admin) -> Response:
    """The whole directory as an import file (what ``warning directory export`` writes), for
    admins only: it holds every webhook secret and robot key."""
    if suffix not in ("csv", "xlsx"):
        return Response("export as directory/export.csv or .xlsx", status_code=404)
    data, _rows = directory_file(context, xlsx=suffix == "xlsx")
    media = XLSX if suffix == "xlsx" else "text/csv; charset=utf-8"
    headers = {"Content-Disposition": f'attachment; filename="directory.{suffix}"'}
    return Response(data, media_type=media, headers=headers)


@router.post("/directory/import")
async def import_file(request: Request, context: Context) -> Response:
    """Import an uploaded CSV or XLSX file (admins). The rows are read and checked (every
    URL's host looked up) with no transaction open, then imported in one; the refused cells
    are listed and nothing is imported."""
    refused = declared_too_large(request, MAX_UPLOAD)
    if refused is not None:
        return refused
    person = await run_in_threadpool(uploader, request, context.factory, Role.ADMIN)
    form = await request.form(max_files=1, max_fields=8)
    check_csrf(form, person)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _refused(request, context, person, "choose a CSV or XLSX file to import")
    name = Path(upload.filename).name
    if Path(name).suffix.lower() not in SUFFIXES:
        return await _refused(request, context, person, f"{name}: not a .csv or .xlsx file")
    data = await upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        problem = f"{name}: over {MAX_UPLOAD // 2**20} MiB"
        return await _refused(request, context, person, problem)
    try:
        result = await run_in_threadpool(
            partial(import_upload, context, data, name=name, actor=person.name)
        )
    except DirectoryFileError as error:
        return await _refused(request, context, person, str(error))
    if result.rejects:
        return await _refused(request, context, person, None, rejects=result.rejects)
    changed = result.outcome.changed if result.outcome else 0
    return RedirectResponse(f"/directory?imported={result.imported},{changed}", status_code=303)


async def _refused(
    request: Request,
    context: ServiceContext,
    person: Visitor,
    problem: str | None,
    *,
    rejects: tuple[RowError, ...] = (),
) -> HTMLResponse:
    """The page again with why nothing was imported (422)."""

    def show() -> HTMLResponse:
        with read_only(context.factory) as db:
            return _show(request, db, person, rejects=rejects, problem=problem, status_code=422)

    return await run_in_threadpool(show)
