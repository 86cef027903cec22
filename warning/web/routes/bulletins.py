"""Bulletins, ``/bulletins/{daily|weekly|monthly}.docx``: the digest of a period as the DOCX
document the desk circulates, in the visitor's language: the one that goes out on
``?date=YYYY-MM-DD`` (default: the desk's today), so weekly is the last full week before that
day and monthly the last full month, as ``warning digest --kind ... --date`` sends them."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from alerts import Language
from alerts.digest import DigestKind
from warning.api.deps import Context
from warning.api.fields import Line, PathName
from warning.jobs.digest import bulletin
from warning.web.auth import CurrentVisitor

router = APIRouter(include_in_schema=False)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)  # bulletins of dates in between


@router.get("/bulletins/{kind}.docx")
def bulletin_docx(
    kind: PathName,
    context: Context,
    person: CurrentVisitor,
    day: Annotated[Line, Query(alias="date", max_length=10)] = "",
) -> Response:
    """One bulletin as a download (any signed-in user)."""
    if kind not in set(DigestKind):
        return Response("bulletins are daily, weekly or monthly", status_code=404)
    try:
        on = date.fromisoformat(day) if day else None
    except ValueError:
        return Response(f"date {day!r}: expected YYYY-MM-DD", status_code=422)
    if on is not None and not FIRST_DAY <= on <= LAST_DAY:
        return Response(f"date {day}: between {FIRST_DAY} and {LAST_DAY}", status_code=422)
    data, start, _end = bulletin(
        context, kind=DigestKind(kind), day=on, language=Language(person.language)
    )
    name = f"bulletin-{kind}-{start.isoformat()}.docx"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(data, media_type=DOCX, headers=headers)
