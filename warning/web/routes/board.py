"""The board, ``/``: every material by sector, the level counts and what changed."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from warning.api.fields import PathName
from warning.web.auth import Visitor
from warning.web.board import LEVEL_RANK, board_frame
from warning.web.charts import SPARK_HEIGHT, SPARK_WIDTH
from warning.web.material import csv_bytes, xlsx_bytes
from warning.web.pages import WebState, serve, serve_kept
from warning.web.routes.materials import XLSX

router = APIRouter(include_in_schema=False)


@router.get("/")
async def board(request: Request) -> Response:
    """The home page."""
    state: WebState = request.app.state.web
    return await serve_kept(
        request,
        "board.html",
        section="board",
        key="board",
        context=lambda db, _person: {
            "board": state.board.get(db),
            "spark_width": SPARK_WIDTH,
            "spark_height": SPARK_HEIGHT,
            "level_rank": LEVEL_RANK,
        },
    )


@router.get("/board.{suffix}")
async def board_download(request: Request, suffix: PathName) -> Response:
    """The board's table as ``board.csv`` or ``board.xlsx``, in the visitor's language."""
    state: WebState = request.app.state.web
    if suffix not in ("csv", "xlsx"):
        return Response(status_code=404)

    def download(db: Session, person: Visitor) -> Response:
        frame = board_frame(state.board.get(db), state.templates.words(person.language))
        if suffix == "csv":
            return Response(
                csv_bytes(frame),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": 'attachment; filename="board.csv"'},
            )
        return Response(
            xlsx_bytes(frame, "board"),
            media_type=XLSX,
            headers={"Content-Disposition": 'attachment; filename="board.xlsx"'},
        )

    return await serve(request, download)
