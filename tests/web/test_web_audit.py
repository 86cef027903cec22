"""The audit and history page: entries as sentences, filtered by material, actor, kind and
desk days (both ends included), paginated, and downloaded as CSV with the same filters."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

from tests.web.conftest import Web
from warning.audit import record
from warning.store import transaction
from warning.web.routes.audit import PAGE_SIZE

# Desk time is Asia/Shanghai (UTC+8): 16:00 UTC on 1 December is 00:00 on 2 December there.
DAY_TWO_STARTS = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)


def _entries(web: Web) -> None:
    with transaction(web.factory) as session:
        for at, actor, action, material, comment in (
            (DAY_TWO_STARTS - timedelta(seconds=1), "otto", "approved", "copper", "一日末"),
            (DAY_TWO_STARTS, "otto", "rejected", "zinc", "二日初"),
            (DAY_TWO_STARTS + timedelta(hours=23, minutes=59), "ada", "approved", "zinc", "二日末"),
            (DAY_TWO_STARTS + timedelta(days=1), "system", "created", "copper", None),
        ):
            record(
                session,
                at=at,
                actor=actor,
                action=action,
                material_id=material,
                after={"item": {"level": "red", "direction": "up", "state": "approved"}},
                comment=comment,
            )


def _comments(page: str) -> list[str]:
    return re.findall(r'<q translate="no">([^<]+)</q>', page)


def test_the_audit_page_filters_by_material_actor_kind_and_desk_days(web: Web) -> None:
    _entries(web)
    browser = web.as_("vera")
    every = browser.get("/audit").text
    total = re.search(r"共 (\d+) 条", every)
    assert total and _comments(every) == ["二日末", "二日初", "一日末"]
    assert '用户 <span translate="no">otto</span>驳回了提议' in every
    assert browser.get("/audit?material=zinc").text.count("<tr class=") == 2
    assert _comments(browser.get("/audit?actor=otto").text) == ["二日初", "一日末"]
    assert _comments(browser.get("/audit?kind=approved").text) == ["二日末", "一日末"]
    day_two = browser.get("/audit?from=2026-12-02&to=2026-12-02").text
    assert _comments(day_two) == ["二日末", "二日初"]  # the second before midnight is day one
    assert "共 1 条" in browser.get("/audit?from=2026-12-03&material=copper").text
    assert "共 1 条" in browser.get("/audit?to=2026-12-01&material=copper").text
    unknown = browser.get("/audit?material=gold&kind=nonsense&from=not-a-day").text
    assert total.group(0) in unknown  # unknown filters are dropped, not refused


def test_the_audit_page_paginates_and_the_csv_holds_what_the_filters_select(web: Web) -> None:
    with transaction(web.factory) as session:
        for n in range(PAGE_SIZE + 1):
            record(
                session,
                at=DAY_TWO_STARTS + timedelta(minutes=n),
                actor="otto",
                action="silence_created",
                material_id="copper",
                after={"material_id": "copper", "ends_at": "2026-12-09T00:00:00+00:00"},
                comment=f"第{n}条",
            )
    browser = web.as_("vera")
    first = browser.get("/audit?material=copper").text
    assert first.count('<tr class="audit-') == PAGE_SIZE and "第 1 页，共 2 页" in first
    second = browser.get("/audit?material=copper&page=2").text
    assert second.count('<tr class="audit-') == 1 and "第0条" in second

    answer = browser.get("/audit.csv?material=copper&actor=otto")
    assert answer.headers["content-disposition"] == 'attachment; filename="audit.csv"'
    assert answer.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert len(rows) == PAGE_SIZE + 1 and rows[0]["comment"] == f"第{PAGE_SIZE}条"
    assert rows[0]["sentence"].startswith("用户 otto将铜静默至 2026-12-09 08:00")
    assert rows[0]["at"] == "2026-12-02T00:50:00+08:00"
    assert browser.get("/audit.csv?actor=ada").content.decode("utf-8-sig").count("\n") == 1
