"""A material, ``/materials/{id}``: a series at any view with the level timeline, warnings,
audit; ``/materials/{id}/data.csv`` and ``data.xlsx`` download its data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from warning.api.deps import Context, Db
from warning.api.fields import Line, PathName, TextQuery
from warning.catalog.models import Series
from warning.clock import evaluation_date
from warning.context import ServiceContext
from warning.web.auth import CurrentVisitor
from warning.web.material import RANGES, VIEWS, csv_bytes, export_frame, material_view, xlsx_bytes
from warning.web.pages import WebState, page, serve, serve_kept

router = APIRouter(include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/materials/{material_id}")
async def material(
    material_id: PathName,
    request: Request,
    series: TextQuery = None,
    view: TextQuery = None,
    span: Annotated[Line | None, Query(alias="range", max_length=8)] = None,
    overlay: TextQuery = None,
) -> Response:
    """The material page: ``?series=`` at ``?view=`` over ``?range=`` (3m, 1y, 3y, all),
    with ``?overlay=`` another series of the material beside it."""
    context: ServiceContext = request.app.state.context
    state: WebState = request.app.state.web
    entry = next((m for m in context.catalog.materials if m.id == material_id), None)

    if entry is None:
        return await serve(
            request,
            lambda _db, person: page(
                request,
                person,
                "not_found.html",
                section="board",
                what=material_id,
                status_code=404,
            ),
        )
    return await serve_kept(
        request,
        "material.html",
        section="board",
        key=(material_id, series, view, span, overlay),
        context=lambda db, person: {
            "material": entry,
            "view": material_view(
                db,
                material_id=material_id,
                series_id=series,
                view=view,
                until=evaluation_date(context.settings),
                levels=state.levels,
                words=state.templates.words(person.language),
                range_name=span,
                overlay_id=overlay,
            ),
            "ranges": list(RANGES),
        },
    )


def _download(
    material_id: str,
    db: Db,
    context: Context,
    series: str | None,
    view: str | None,
    suffix: str,
) -> Response:
    if material_id not in context.catalog.material_ids:
        return Response(f"no material {material_id}", status_code=404, media_type="text/plain")
    chosen = db.get(Series, series) if series else None
    if series and (chosen is None or chosen.material_id != material_id):
        return Response(
            f"no series {series} of {material_id}", status_code=404, media_type="text/plain"
        )
    shown = view if chosen is not None and view in VIEWS else None
    frame = export_frame(
        db,
        material_id=material_id,
        series=chosen,
        view=shown,
        until=evaluation_date(context.settings),
    )
    name = "_".join(part for part in (material_id, series, shown) if part) + f".{suffix}"
    body, media = (
        (csv_bytes(frame), "text/csv; charset=utf-8")
        if suffix == "csv"
        else (xlsx_bytes(frame, series or material_id), XLSX)
    )
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/materials/{material_id}/data.csv")
def download_csv(
    material_id: PathName,
    db: Db,
    context: Context,
    person: CurrentVisitor,
    series: TextQuery = None,
    view: TextQuery = None,
) -> Response:
    """The material's data (or one series at a view) as CSV."""
    return _download(material_id, db, context, series, view, "csv")


@router.get("/materials/{material_id}/data.xlsx")
def download_xlsx(
    material_id: PathName,
    db: Db,
    context: Context,
    person: CurrentVisitor,
    series: TextQuery = None,
    view: TextQuery = None,
) -> Response:
    """The material's data (or one series at a view) as an Excel workbook."""
    return _download(material_id, db, context, series, view, "xlsx")
