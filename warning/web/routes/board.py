"""The board, ``/``: every material by sector, the level counts and what changed."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from warning.web.charts import SPARK_HEIGHT, SPARK_WIDTH
from warning.web.pages import WebState, serve_kept

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
        },
    )
