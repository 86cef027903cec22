"""A reporter on the web: its own form in Chinese, the XLSX template down and up (a bad cell
refuses the whole file, nothing stored), and nothing of the desk's; the desk's overdue list."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from tests.web.conftest import REPORTER, REPORTING_ENTERPRISE, Web
from warning.audit import AuditEntry
from warning.clock import FrozenClock, use_clock
from warning.directory.models import Enterprise
from warning.jobs.reporting import reporting_forms
from warning.reporting.checks import Entry
from warning.reporting.models import Channel, Report, ReportValue
from warning.reporting.service import submit
from warning.store import transaction

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


def report(web: Web, credit_code: str, period: str, output: float) -> None:
    """A building-materials enterprise (made if new) reports its cement output."""
    with transaction(web.factory) as session:
        enterprise = session.scalar(select(Enterprise).where(Enterprise.credit_code == credit_code))
        if enterprise is None:
            enterprise = Enterprise(
                name=f"建材{credit_code[-4:]}",
                credit_code=credit_code,
                sector="building_materials",
                created_at=TODAY,
                updated_at=TODAY,
            )
            session.add(enterprise)
            session.flush()
        submit(
            session,
            forms=reporting_forms(web.context),
            enterprise=enterprise,
            form_id="building_materials",
            period=period,
            entries={"cement_output": Entry(output)},
            actor="test",
            channel=Channel.API,
            today=TODAY.date(),
            now=TODAY,
        )


def test_the_reported_aggregates_page_whole_for_the_desk_shareable_for_viewers(
    web: Web, frozen: None
) -> None:
    codes = [f"9111000000000{n}000X" for n in range(3)]
    for code, output in zip(codes, (100.0, 110.0, 120.0), strict=True):
        report(web, code, "2026-10", output)  # three of three: counted, 330 in all
    for code, output in zip(codes[:2], (101.0, 111.0), strict=True):
        report(web, code, "2026-11", output)  # two of three (67 %): withheld, the desk's only

    desk = web.as_("otto").get("/report-aggregates?material=cement")
    assert desk.status_code == 200
    rows = re.findall(r"<tr(?: class=\"muted\")?><td>(2026-1[01])</td>(.*?)</tr>", desk.text, re.S)
    assert [period for period, _ in rows] == ["2026-11", "2026-10"]  # newest first
    november, october = rows[0][1], rows[1][1]
    assert "不足三家：仅限本司" in november and "2 / 3" in november and "212" in november
    assert "计入" in october and "3 / 3" in october and "330" in october
    desk_head = desk.text.split("<thead>")[1].split("</thead>")[0]
    assert "合计" in desk_head and "同口径变化" in desk_head
    with web.factory() as session:
        audited = session.execute(
            select(AuditEntry.actor, AuditEntry.after).where(
                AuditEntry.action == "report_aggregates_read"
            )
        ).all()
    assert [(actor, json.loads(after)) for actor, after in audited] == [
        ("otto", {"fewer_than_three": ["cement_output:2026-11"]})
    ]

    viewer = web.as_("vera").get("/report-aggregates?material=cement").text
    assert "计入" in viewer and "3 / 3" in viewer
    assert "2026-11" not in viewer.split("<tbody>")[1]  # two enterprises: not shown
    head = viewer.split("<thead>")[1].split("</thead>")[0]
    assert "合计" not in head and "同口径变化" not in head  # no sum, no change outside
    assert viewer.count("330") == 1  # the stored (chain-linked) value alone
    english = web.as_("vera").get("/report-aggregates?lang=en").text
    assert "Reported aggregates" in english and "counted" in english
    assert web.as_(REPORTER).get("/report-aggregates").status_code == 403
    with web.factory() as session:  # the viewer's read showed nothing withheld: no entry
        assert (
            session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "report_aggregates_read")
            )
            == 1
        )
