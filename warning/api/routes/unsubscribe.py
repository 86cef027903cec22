"""One-click unsubscribe (RFC 8058): the signed link in every alert and digest email.

``POST /unsubscribe?t=<token>`` (what mail clients send for ``List-Unsubscribe-Post``) stops
the alerts at once; ``GET`` shows a small page with the button, so a link opened by a mail
scanner unsubscribes nobody. No login: the token is the proof.
"""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import HTMLResponse

from alerts.unsubscribe import read_unsubscribe_token
from warning import clock
from warning.api.deps import Context, Db
from warning.api.fields import Line
from warning.context import secret_key
from warning.directory.service import unsubscribe

router = APIRouter(tags=["unsubscribe"])
Token = Annotated[Line, Query(max_length=512)]  # the signed token of the link
PAGE = """<!doctype html><html lang="zh"><meta charset="utf-8">
<title>退订 Unsubscribe</title><body style="font-family: sans-serif; max-width: 36em">
<h1>退订预警邮件 / Unsubscribe</h1><p>{message}</p>{form}</body></html>"""


def _contact_id(token: str, context: Context) -> int:
    read = read_unsubscribe_token(token, secret_key(context.settings))
    if read is None or not read[0].isdigit():
        raise HTTPException(404, "this unsubscribe link is not valid")
    return int(read[0])


@router.get("/unsubscribe", response_class=HTMLResponse, include_in_schema=False)
def unsubscribe_page(context: Context, t: Token) -> HTMLResponse:
    _contact_id(t, context)
    form = (
        f'<form method="post" action="/unsubscribe?t={escape(t)}">'
        '<button type="submit">退订 / Unsubscribe</button></form>'
    )
    message = "点击按钮，停止接收原材料供需预警。 Press the button to stop these alerts."
    return HTMLResponse(PAGE.format(message=message, form=form))


@router.post("/unsubscribe", response_class=HTMLResponse, include_in_schema=False)
def unsubscribe_now(
    db: Db, context: Context, t: Annotated[Line, Query(max_length=512)]
) -> HTMLResponse:
    contact = unsubscribe(db, contact_id=_contact_id(t, context), now=clock.now())
    if contact is None:
        raise HTTPException(404, "this unsubscribe link is not valid")
    message = "已退订，不会再收到预警邮件。 You are unsubscribed: no more alerts will be sent."
    return HTMLResponse(PAGE.format(message=message, form=""))
