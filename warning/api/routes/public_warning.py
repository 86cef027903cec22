"""``GET /w/<token>``: a warning's own public page, the "details" link of every message.

No login: the signed token is the proof (:mod:`warning.delivery.public_page`). ``?lang=en``
for English (Chinese by default). An invalid, tampered, expired or revoked link: 404.
"""

from __future__ import annotations

import base64
from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import HTMLResponse

from alerts import Language
from alerts.render import render_public_page
from warning import clock
from warning.api.deps import Context, Db
from warning.api.fields import Line
from warning.catalog.models import Series
from warning.context import secret_key
from warning.delivery.charts import series_level_chart
from warning.delivery.public_page import open_public_warning
from warning.evaluation.runs import load_ruleset
from warning.jobs.delivery import advice_source

router = APIRouter(include_in_schema=False)
NOT_FOUND = "this link is not valid, or has expired"


@router.get("/w/{token}", response_class=HTMLResponse)
def public_warning(
    token: Annotated[Line, Path(max_length=256)],
    db: Db,
    context: Context,
    lang: Annotated[Line, Query(max_length=2)] = "zh",
) -> HTMLResponse:
    ruleset = load_ruleset(context.settings.rules_path, context.catalog)
    drawn: list[bytes] = []

    def chart(series_id: str, until: date | None) -> bytes | None:
        series = db.get(Series, series_id)
        if series is None or until is None:
            return None
        made = series_level_chart(
            db,
            series_id=series_id,
            unit=series.unit,
            until=until,
            rules=ruleset.rules_for(series.material_id),
        )
        if made is not None:
            drawn.append(made.png)
        return made.png if made else None

    shown = open_public_warning(
        db,
        token,
        secret=secret_key(context.settings),
        now=clock.now(),
        days=context.settings.public_link_days,
        chart=chart,
        advice=advice_source(context),
        prices=context.settings.message_prices,
    )
    if shown is None:
        raise HTTPException(404, NOT_FOUND)
    language = Language.EN if lang == "en" else Language.ZH
    source = f"data:image/png;base64,{base64.b64encode(drawn[0]).decode()}" if drawn else ""
    page = render_public_page(shown.event, language, chart_src=source)
    return HTMLResponse(page, headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"})
