"""A reporter on the web: its own form in Chinese, the XLSX template down and up (a bad cell
refuses the whole file, nothing stored), and nothing of the desk's; the desk's overdue list."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from tests.web.conftest import REPORTER, REPORTING_ENTERPRISE, Web
from warning.clock import FrozenClock, use_clock
from warning.reporting.models import Report, ReportValue

TODAY = datetime(2026, 12, 7, 4, tzinfo=UTC)  # November open, due 2026-12-10


@pytest.fixture
def frozen() -> Iterator[None]:
    with use_clock(FrozenClock(TODAY)):
        yield


def stored(web: Web) -> list[tuple[str, str, float, str]]:
    with web.factory() as session:
        rows = session.execute(
            select(Report.period, ReportValue.field, ReportValue.value, ReportValue.channel)
            .join(Report, Report.id == ReportValue.report_id)
            .order_by(ReportValue.id)
        ).all()
    return [(p, f, v, str(c)) for p, f, v, c in rows]


def upload(web: Web, data: bytes) -> object:
    return web.as_(REPORTER).post(
        "/report/upload",
        data={"csrf_token": web.csrf(REPORTER), "form": "building_materials"},
        files={"file": ("filled.xlsx", data, "application/octet-stream")},
    )


def test_a_reporter_fills_its_form_in_chinese_and_sees_nothing_of_the_desk(
    web: Web, frozen: None
) -> None:
    browser = web.as_(REPORTER)
    page = browser.get("/report")
    assert page.status_code == 200
    assert "数据报送" in page.text and "建材行业月度调度表" in page.text and "水泥" in page.text
    for desk_page in ("/", "/queue", "/feeds", "/admin", "/report-overdue", "/materials/copper"):
        assert browser.get(desk_page).status_code == 403, desk_page
    refused = web.post(
        REPORTER,
        "/report",
        {"form": "building_materials", "period": "2026-11", "value:cement_output": "十二"},
    )
    assert refused.status_code == 422 and "cement_output" in refused.text
    assert stored(web) == []
    sent = web.post(
        REPORTER,
        "/report",
        {"form": "building_materials", "period": "2026-11", "value:cement_output": "1,200.5"},
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/report?period=2026-11&saved=1"
    assert stored(web) == [("2026-11", "cement_output", 1200.5, "web")]
    again = browser.get("/report?period=2026-11")
    assert 'value="1200.5"' in again.text


def test_the_template_goes_down_and_up(web: Web, frozen: None) -> None:
    browser = web.as_(REPORTER)
    download = browser.get("/report/template.xlsx?form=building_materials&period=2026-10")
    assert download.status_code == 200
    book = load_workbook(io.BytesIO(download.content))
    sheet = book.active
    assert (sheet["B1"].value, sheet["B2"].value, sheet["B3"].value) == (
        "building_materials",
        "2026-10",
        REPORTING_ENTERPRISE,
    )
    rows = {sheet.cell(row=r, column=1).value: r for r in range(6, sheet.max_row + 1)}
    sheet.cell(row=rows["cement_output"], column=4, value=95.5)
    sheet.cell(row=rows["cement_new_orders"], column=3, value="吨")  # sent in tonnes
    sheet.cell(row=rows["cement_new_orders"], column=4, value=30_000)
    out = io.BytesIO()
    book.save(out)
    answer = upload(web, out.getvalue())
    assert answer.status_code == 303, answer.text[:2000]  # type: ignore[attr-defined]
    assert stored(web) == [
        ("2026-10", "cement_output", 95.5, "xlsx"),
        ("2026-10", "cement_new_orders", 3.0, "xlsx"),
    ]


def test_a_malformed_workbook_is_refused_cell_by_cell_and_nothing_is_stored(
    web: Web, frozen: None
) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "报表"
    for row, value in enumerate(("building_materials", "2026-11", REPORTING_ENTERPRISE), 1):
        sheet.cell(row=row, column=2, value=value)
    good = ("cement_output", "水泥 产量", "10k t", 12.0)
    for column, value in enumerate(good, 1):
        sheet.cell(row=6, column=column, value=value)
    sheet.append(["copper_output", "铜 产量", "10k t", 1.0])  # row 7: not this form's
    sheet.append(["cement_stock", "水泥 库存合计", "10k t", "many"])  # row 8: no number
    sheet.append(["cement_new_orders", "水泥 新增订单", "kg", 2.0])  # row 9: unknown unit
    out = io.BytesIO()
    book.save(out)
    answer = upload(web, out.getvalue())
    assert answer.status_code == 422
    text = answer.text  # type: ignore[attr-defined]
    for cell in ("A7", "D8", "C9"):
        assert f"<td>{cell}</td>" in text, cell
    assert "<td>D6</td>" not in text
    assert stored(web) == []

    other = load_workbook(io.BytesIO(out.getvalue()))
    other.active["B3"] = "91210000FW7UW3LNEC"  # another enterprise's template
    for row in (9, 8, 7):
        other.active.delete_rows(row)
    out = io.BytesIO()
    other.save(out)
    answer = upload(web, out.getvalue())
    assert answer.status_code == 422 and "<td>B3</td>" in answer.text  # type: ignore[attr-defined]
    broken = upload(web, b"PK\x03\x04 not really a workbook")
    assert broken.status_code == 422 and "<td>file</td>" in broken.text  # type: ignore[attr-defined]
    assert stored(web) == []


def test_the_desk_lists_who_has_not_reported(web: Web, frozen: None) -> None:
    web.as_(REPORTER)  # its enterprise joins the directory
    page = web.as_("vera").get("/report-overdue?form=building_materials")
    assert page.status_code == 200
    assert REPORTING_ENTERPRISE in page.text and "2026-11" in page.text
    assert web.as_("otto").get("/report").status_code == 403  # the form is a reporter's
    malformed = web.as_("vera").get("/report-overdue?period=2026-13")
    assert malformed.status_code == 422
