"""The board, ``/``: every material by sector, the level counts and what changed."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from warning.api.deps import Db
from warning.web.auth import CurrentVisitor
from warning.web.charts import SPARK_HEIGHT, SPARK_WIDTH
from warning.web.pages import State, page

router = APIRouter(include_in_schema=False)


@router.get("/")
def board(request: Request, db: Db, person: CurrentVisitor, state: State) -> HTMLResponse:
    """The home page."""
    return page(
        request,
        person,
        "board.html",
        section="board",
        board=state.board.get(db),
        spark_width=SPARK_WIDTH,
        spark_height=SPARK_HEIGHT,
    )
