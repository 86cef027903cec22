"""An operator loads a data file from the web: the same job and report as ``ingest-file``."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from sqlalchemy import func, select

from tests.web.conftest import Web
from warning.catalog.models import Observation
from warning.feeding.models import FeedRun
from warning.jobs.ingest import ingest_file
from warning.store import read_only

HEADER = "series_id,material,indicator,frequency,period,value,unit"
ROWS = [
    "copper_shfe_futures,copper,price,D,2026-11-23,70000,CNY/t",
    "copper_shfe_futures,copper,price,D,2026-11-24,70100,CNY/t",
    "copper_shfe_futures,copper,price,D,2026-11-31,70200,CNY/t",
    "copper_shfe_futures,copper,price,D,2026-11-25,-3,CNY/t",
]


def _send(web: Web, name: str, filename: str, data: bytes) -> httpx.Response:
    return web.as_(name).post(
        "/feeds/upload",
        data={"csrf_token": web.csrf(name)},
        files={"file": (filename, data, "application/octet-stream")},
    )


def _stored(web: Web) -> list[tuple[object, ...]]:
    with read_only(web.factory) as session:
        rows = session.execute(
            select(Observation.series_id, Observation.period, Observation.value).order_by(
                Observation.series_id, Observation.period
            )
        )
        return [tuple(row) for row in rows]


def test_an_uploaded_file_gives_the_same_report_and_rows_as_ingest_file(
    web: Web, tmp_path: Path
) -> None:
    data = ("\n".join([HEADER, *ROWS]) + "\n").encode("utf-8")
    answer = _send(web, "otto", "prices.csv", data)
    assert answer.status_code == 200, answer.text[:500]
    shown = dict(re.findall(r'<dd class="(\w+)">(\d+)</dd>', answer.text))
    lines = re.findall(r'<tr><td class="num">(\d+)</td>', answer.text)
    uploaded = _stored(web)

    with read_only(web.factory) as session:  # the same file again, as the command loads it
        runs = session.scalar(select(func.count()).select_from(FeedRun))
    path = tmp_path / "prices.csv"
    path.write_bytes(data)
    again = ingest_file(web.factory, path, today=web.context.settings.as_of)  # type: ignore[arg-type]
    assert again.unchanged == 2 and _stored(web) == uploaded  # the same rows, stored once
    fresh = {"accepted": 2, "revised": 0, "unchanged": 0, "rejected": 2, "suspect": 0}
    assert {k: int(v) for k, v in shown.items()} == fresh
    assert (again.rejected, [str(r.line) for r in again.rejects]) == (2, lines)
    assert "不是日期" in answer.text and "不大于零" in answer.text  # reasons in Chinese
    assert runs is not None and runs >= 1


def test_uploads_are_for_operators_and_an_unreadable_file_stores_nothing(web: Web) -> None:
    assert _send(web, "vera", "prices.csv", b"x").status_code == 403
    refused = _send(web, "otto", "prices.txt", b"x")
    assert refused.status_code == 422 and "prices.txt" in refused.text
    empty = _send(web, "otto", "prices.csv", b"")
    assert empty.status_code == 422 and "未存储任何数据" in empty.text
    assert _stored(web) == []
