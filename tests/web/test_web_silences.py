"""Silences on /admin: an operator makes one by matcher with a duration preset or a custom end,
starting now or later, sees it by name (material, sector, level, direction, enterprise) and
its state, and ends it; a viewer may not; refusals say why in the page's language; the item
page's "who gets this" leaves out an enterprise a silence mutes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tests.web.conftest import Web
from tests.web.test_web_operations import ROWS, _csv, _upload
from tests.web.test_web_pages import evaluate
from warning import clock
from warning.review.models import Silence
from warning.store import read_only

ZINC_CO = "91440300708461136T"  # Demo Zinc Co in ROWS
COPPER_CO = "91350100M000100Y43"  # 演示铜业（Demo）


def silences(web: Web) -> list[Silence]:
    with read_only(web.factory) as session:
        return list(session.scalars(select(Silence).order_by(Silence.id)))


def utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=moment.tzinfo or UTC)


def row_of(page: str, silence_id: int) -> str:
    found = re.search(rf'<tr class="silence-\w+">\s*<td>{silence_id}</td>.*?</tr>', page, re.S)
    assert found, page
    return found.group(0)


def test_an_operator_silences_by_matcher_for_a_preset_and_ends_it_now(web: Web) -> None:
    assert _upload(web, "ada", "contacts.csv", _csv(*ROWS)).status_code == 303
    before = clock.now()
    made = web.post(
        "otto",
        "/admin/silences",
        {
            "material": "copper",
            "level": "red",
            "direction": "up",
            "enterprise": ZINC_CO,
            "duration": "1d",
            "comment": "年度检修",
        },
    )
    after = clock.now()
    assert made.status_code == 303, made.text[:800]
    (silence,) = silences(web)
    starts, ends = utc(silence.starts_at), utc(silence.ends_at)
    assert starts is not None and before <= starts <= after
    assert ends == starts + timedelta(days=1)
    assert (silence.material_id, silence.level, silence.direction) == ("copper", "red", "up")
    assert silence.sector is None and silence.enterprise_id is not None

    row = row_of(web.as_("otto").get("/admin").text, silence.id)
    assert "品种：铜 · 级别：红色 · 方向：向上（短缺或暴涨） · 企业：" in row
    assert '<span translate="no">Demo Zinc Co</span>' in row
    assert "生效中" in row and "立即结束" in row and "年度检修" in row

    ended = web.post("otto", f"/admin/silences/{silence.id}/delete", {})
    assert ended.status_code == 303
    (silence,) = silences(web)
    assert silence.deleted_by == "otto" and silence.deleted_at is not None
    row = row_of(web.as_("otto").get("/admin").text, silence.id)
    assert "已结束" in row and "立即结束" not in row and "<form" not in row
    again = web.post("otto", f"/admin/silences/{silence.id}/delete", {})
    assert again.status_code == 409 and "静默" in again.text and "已经结束" in again.text
    audit = web.as_("vera").get("/audit").text
    assert '用户 <span translate="no">otto</span>将品种：铜 · 级别：红色' in audit
    assert "结束了品种：铜" in audit


def test_a_silence_may_start_later_and_be_called_off_before_it_starts(web: Web) -> None:
    made = web.post(
        "otto",
        "/admin/silences",
        {"sector": "chemicals", "starts_at": "2099-01-01T09:00", "duration": "7d", "comment": "x"},
    )
    assert made.status_code == 303, made.text[:800]
    (silence,) = silences(web)
    assert utc(silence.starts_at) == datetime(2099, 1, 1, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    assert utc(silence.ends_at) == datetime(2099, 1, 8, 1, 0, tzinfo=UTC)
    row = row_of(web.as_("otto").get("/admin").text, silence.id)
    assert "行业：化工" in row and "品种" not in row and "尚未开始" in row and "取消" in row
    assert web.post("otto", f"/admin/silences/{silence.id}/delete", {}).status_code == 303
    assert "已结束" in row_of(web.as_("otto").get("/admin").text, silence.id)


def test_a_custom_end_and_what_the_form_refuses(web: Web) -> None:
    custom = {"material": "zinc", "duration": "custom", "comment": "x"}
    made = web.post("otto", "/admin/silences", {**custom, "ends_at": "2099-02-01T08:00"})
    assert made.status_code == 303
    (silence,) = silences(web)
    assert utc(silence.ends_at) == datetime(2099, 2, 1, 0, 0, tzinfo=UTC)
    refusals = [
        ({**custom}, "请选择时长或填写截止时间"),
        ({**custom, "ends_at": "soon"}, "不是日期和时间"),
        (
            {**custom, "starts_at": "2099-03-01T08:00", "ends_at": "2099-02-01T08:00"},
            "静默的截止时间须晚于开始时间",
        ),
        ({**custom, "ends_at": "2020-01-01T08:00"}, "静默的截止时间须在将来"),
        ({**custom, "duration": "1y"}, "不是可选的时长"),
        ({**custom, "duration": "30d", "starts_at": "9999-12-31T23:00"}, "太晚"),
        ({**custom, "ends_at": "0001-01-01T07:00"}, "超出可用的时间范围"),
        ({"enterprise": "91440300708461136T", "duration": "2h", "comment": "x"}, "名录中没有"),
        ({"material": "copper", "sector": "ferrous", "duration": "2h", "comment": "x"}, "不会匹配"),
        ({"level": "normal", "duration": "2h", "comment": "x"}, "静默不能以"),
        ({"duration": "2h", "comment": ""}, "静默须填写说明原因的意见"),
    ]
    for form, says in refusals:
        refused = web.post("otto", "/admin/silences", form)
        assert refused.status_code == 409, (form, refused.status_code)
        assert says in refused.text, (form, refused.text[:2000])
    assert len(silences(web)) == 1


def test_a_viewer_sees_silences_but_may_not_make_or_end_one(web: Web) -> None:
    assert (
        web.post("otto", "/admin/silences", {"duration": "2h", "comment": "x"}).status_code == 303
    )
    (silence,) = silences(web)
    page = web.as_("vera").get("/admin").text
    assert "所有变化" in row_of(page, silence.id)  # no matcher: every change
    assert 'action="/admin/silences"' not in page and "/delete" not in page
    refused = web.post("vera", "/admin/silences", {"duration": "2h", "comment": "x"})
    assert refused.status_code == 403
    assert web.post("vera", f"/admin/silences/{silence.id}/delete", {}).status_code == 403
    assert len(silences(web)) == 1 and silences(web)[0].deleted_at is None


def test_silences_read_in_english_in_english_mode(web: Web) -> None:
    form = {"sector": "chemicals", "level": "yellow", "direction": "down"}
    assert web.post("otto", "/admin/silences", {**form, "duration": "30d", "comment": "x"})
    (silence,) = silences(web)
    assert utc(silence.ends_at) == utc(silence.starts_at) + timedelta(days=30)  # type: ignore[operator]
    row = row_of(web.as_("otto").get("/admin?lang=en").text, silence.id)
    assert "Sector: Chemicals · Level: Yellow · Direction: down (glut or collapse)" in row
    assert "in force" in row and "End now" in row


def test_who_gets_this_leaves_out_an_enterprise_a_silence_mutes(web: Web) -> None:
    copper_twice = ROWS[1].replace("zinc,blue", "copper,blue")  # Demo Zinc Co watches copper
    assert _upload(web, "ada", "contacts.csv", _csv(ROWS[0], copper_twice)).status_code == 303
    items = evaluate(web, {"copper": ("red", "up")})
    panel = web.as_("otto").get(f"/items/{items['copper']}").text
    assert "演示铜业（Demo）" in panel and "Demo Zinc Co" in panel
    muted = {"enterprise": ZINC_CO, "material": "copper", "duration": "2h", "comment": "x"}
    assert web.post("otto", "/admin/silences", muted).status_code == 303
    panel = web.as_("otto").get(f"/items/{items['copper']}").text
    assert "演示铜业（Demo）" in panel and "Demo Zinc Co" not in panel
