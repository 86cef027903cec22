"""The board, ``/``: every material by sector, the level counts and what changed."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from warning.web.auth import Visitor
from warning.web.charts import SPARK_HEIGHT, SPARK_WIDTH
from warning.web.pages import WebState, kept_page, serve

router = APIRouter(include_in_schema=False)


@router.get("/")
async def board(request: Request) -> Response:
    """The home page."""
    state: WebState = request.app.state.web

    def show(db: Session, person: Visitor) -> Response:
        return kept_page(
            request,
            db,
            person,
            "board.html",
            section="board",
            key="board",
            context=lambda: {
                "board": state.board.get(db),
                "spark_width": SPARK_WIDTH,
                "spark_height": SPARK_HEIGHT,
            },
        )

    return await serve(request, show)
