"""Each page shows what the analysts need, and its forms do what they say (with TestClient;
the browser tests drive the same pages with a real browser)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select, update

from feeds.definitions import load_definitions
from tests.support.review import step
from tests.web.conftest import Web
from warning import clock
from warning.audit import AuditEntry
from warning.catalog.models import Observation
from warning.clock import FrozenClock, use_clock
from warning.evaluation.models import Assessment, EvaluationRun, IndicatorAssessment
from warning.feeding.feed_runs import BUNDLED_LIVE
from warning.jobs.canary import CanaryLine, CanaryReport
from warning.jobs.cross_checks import CrossCheckLine, CrossCheckReport, CrossCheckStatus
from warning.jobs.derivation import derive_after_ingest
from warning.jobs.ingest import ingest_file
from warning.review.models import MaterialWarning, ReviewItem
from warning.review.policy import ReviewPolicy
from warning.review.sweep import sweep
from warning.store import transaction
from warning.web import board as board_module
from warning.web.app import create_web_app
from warning.web.routes import feeds as feeds_route

TODAY = date(2026, 11, 30)


def evaluate(web: Web, levels: dict[str, tuple[str, str]], *, day: int = 0) -> dict[str, int]:
    """An evaluation saying ``levels`` as of 30 November + ``day``; open items by material."""
    with transaction(web.factory) as session:
        step(session, levels, day=day, now=clock.now())
        items = session.scalars(select(ReviewItem).where(ReviewItem.state == "pending")).all()
        return {item.material_id: item.id for item in items}


def add_indicators(web: Web, material: str) -> None:
    """Indicator rows under the material's newest assessment, as an evaluation writes them."""
    with transaction(web.factory) as session:
        assessment = session.scalar(
            select(Assessment)
            .where(Assessment.material_id == material)
            .order_by(Assessment.id.desc())
            .limit(1)
        )
        assert assessment is not None
        for indicator, value, level in (
            ("price_yoy", 31.0, "yellow"),
            ("price_drawdown", 2.0, "normal"),
        ):
            session.add(
                IndicatorAssessment(
                    assessment_id=assessment.id,
                    indicator=indicator,
                    detector="change",
                    series_id="copper_shfe_futures",
                    value=value,
                    thresholds="up: yellow 25%, red 50%; down: yellow -20%, red -35%",
                    level=level,
                    direction="up" if level != "normal" else "",
                    score=2.2 if level != "normal" else 0.3,
                    reason_zh=f"铜价{indicator}为{value}",
                    reason_en=f"Copper price {indicator} at {value}",
                )
            )


def copper_prices(web: Web, tmp_path: Path, *, jump_on: date | None = None) -> None:
    """Two years of daily copper prices (a jump to 10x on ``jump_on``, flagged suspect as a
    feed flags it), then the weekly series derived from them."""
    path = tmp_path / "copper.csv"
    rows = ["series_id,material,indicator,frequency,period,value,unit"]
    day, value = date(2024, 12, 2), 70000.0
    while day <= TODAY:
        if day.weekday() < 5:
            value = value * (1.0008 if day.toordinal() % 3 else 0.9995)
            shown = value * 10 if day == jump_on else value
            rows.append(f"copper_shfe_futures,copper,price,D,{day},{shown:.0f},CNY/t")
        day += timedelta(days=1)
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = ingest_file(web.factory, path, today=TODAY)
    if jump_on is not None:
        with transaction(web.factory) as session:
            session.execute(
                update(Observation)
                .where(
                    Observation.series_id == "copper_shfe_futures", Observation.period == jump_on
                )
                .values(suspect=True)
            )
    derive_after_ingest(web.factory, report.stored)


def chart_data(page: str, name: str) -> dict[str, Any]:
    found = re.search(rf'<script type="application/json" id="{name}">(.*?)</script>', page, re.S)
    assert found, f"no chart data {name}"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_the_board_shows_every_material_by_sector_with_level_and_changes(web: Web) -> None:
    evaluate(web, {"copper": ("yellow", "up"), "soda_ash": ("red", "down"), "zinc": ("normal", "")})
    evaluate(
        web, {"copper": ("red", "up"), "soda_ash": ("red", "down"), "zinc": ("normal", "")}, day=1
    )
    page = web.as_("vera").get("/").text

    assert page.count('<article class="tile') == 19
    for sector in ("黑色金属", "有色金属", "新能源材料", "化肥", "化工", "建材"):
        assert f">{sector}</h2>" in page
    copper = re.search(r'data-material="copper">(.*?)</article>', page, re.S)
    assert copper and "level-red" in copper.group(1) and "since 2026" not in copper.group(1)
    assert "自 2026年12月1日 起" in copper.group(1)  # red since the second evaluation
    soda = re.search(r'data-material="soda_ash">(.*?)</article>', page, re.S)
    assert soda and "自 2026年11月30日 起" in soda.group(1) and "↓" in soda.group(1)
    iron = re.search(r'data-material="iron_ore">(.*?)</article>', page, re.S)
    assert iron and "tile-no_data" in page and "level-no_data" in iron.group(1)  # not "normal"
    assert "自 2026年11月30日 以来的变化" in page and "铜" in page.split("以来的变化")[1][:400]
    counts = dict(
        re.findall(r'level-(\w+)">[^<]*(?:<span[^>]*>[^<]*</span>)?</span> <b>(\d+)</b>', page)
    )
    assert counts == {"red": "2", "yellow": "0", "blue": "0", "normal": "1", "no_data": "16"}


def test_the_board_is_rebuilt_only_when_something_changed(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = evaluate(web, {"copper": ("yellow", "up")})
    built = []
    original = board_module.build_board
    monkeypatch.setattr(
        board_module, "build_board", lambda *a, **k: built.append(1) or original(*a, **k)
    )
    browser = web.as_("otto")
    browser.get("/")
    browser.get("/")
    assert len(built) == 1
    assert web.post("otto", f"/items/{items['copper']}/approve", {}).status_code == 303
    page = browser.get("/").text
    assert len(built) == 2 and "生效预警" in page


def test_the_queue_sorts_by_severity_then_age_marks_overdue_and_filters(web: Web) -> None:
    start = datetime.now(UTC)
    with use_clock(FrozenClock(start)):
        evaluate(web, {"copper": ("yellow", "up"), "zinc": ("blue", "up")})
    with use_clock(FrozenClock(start + timedelta(minutes=5))):
        evaluate(
            web,
            {"copper": ("yellow", "up"), "soda_ash": ("red", "down"), "urea": ("yellow", "down")},
            day=1,
        )
    with transaction(web.factory) as session:  # the red one's two hours pass
        sweep(session, policy=ReviewPolicy(), now=start + timedelta(hours=3))
    browser = web.as_("vera")

    rows = re.findall(
        r'<tr class="row level-row-(\w+)( overdue)?" data-href="/items/(\d+)"',
        browser.get("/queue").text,
    )
    materials = [_material_of(web, int(item)) for _level, _late, item in rows]
    assert materials == ["soda_ash", "copper", "urea"]  # escalated red, then the older yellow
    assert rows[0][1] == " overdue" and not rows[1][1]
    yellow = browser.get("/queue?level=yellow").text
    assert yellow.count('class="row ') == 2 and "level-row-red" not in yellow
    chemicals = browser.get("/queue?sector=chemicals&kind=new").text
    assert chemicals.count('class="row ') == 1
    assert browser.get("/queue?level=purple&sector=x&kind=y&page=1").status_code == 200
    assert "<kbd>j</kbd> / <kbd>k</kbd>" in browser.get("/queue").text


def _material_of(web: Web, item_id: int) -> str:
    with web.factory() as session:
        item = session.get(ReviewItem, item_id)
        assert item is not None
        return item.material_id


def test_the_item_page_shows_proposal_indicators_chart_periods_and_audit(
    web: Web, tmp_path: Path
) -> None:
    copper_prices(web, tmp_path)
    items = evaluate(web, {"copper": ("yellow", "up")})
    add_indicators(web, "copper")
    page = web.as_("otto").get(f"/items/{items['copper']}").text

    assert "新发预警" in page and "规则集 <code>test-1</code>" in page
    assert "铜价price_yoy为31.0" in page and "价格同比变化" in page  # reasons per indicator
    assert "上行：黄色 25%、红色 50%；下行：黄色 -20%、红色 -35%" in page  # the thresholds
    assert "up: yellow" not in page
    assert "当前无生效预警" in page and "批准后的预警" in page  # before and after
    for key in "ares":
        assert f'data-key="{key}"' in page
    assert page.count('name="csrf_token"') >= 5
    data = chart_data(page, "item-chart")
    assert data["series"]["name"] == "铜 日度价格（SHFE 期货）"
    assert len(data["series"]["points"]) > 200
    assert {line["level"] for line in data["indicator"]["thresholds"]} == {"yellow", "red"}
    assert data["indicator"]["unit"] == "%" and data["indicator"]["points"]
    assert all(band["level"] != "normal" for band in data["bands"])
    assert page.count('<tr class="suspect">') == 0 and "近期数据" in page
    assert len(re.findall(r"<td>2026年11月\d+日</td>", page)) >= 10  # recent periods
    assert "audit-created" in page  # the item's audit: proposed by the evaluation
    assert '系统提议 <span class="level level-yellow">黄色' in page
    assert "依据截至 <code>2026-11-30</code> 的评估" in page and "{'" not in page


def test_approving_on_the_item_page_makes_the_warning_and_leaves_the_queue(web: Web) -> None:
    items = evaluate(web, {"copper": ("yellow", "up"), "zinc": ("red", "down")})
    answer = web.post("otto", f"/items/{items['copper']}/approve", {"comment": "looks right"})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/queue?done=approved&item={items['copper']}"

    queue = web.as_("otto").get(answer.headers["location"]).text
    assert f'data-item="{items["copper"]}"' not in queue and f'data-item="{items["zinc"]}"' in queue
    assert "事项 #" in queue  # the flash
    page = web.as_("otto").get(f"/items/{items['copper']}").text
    assert "audit-approved" in page and "looks right" in page and "otto" in page
    assert 'data-key="a"' not in page  # decided: no actions any more
    with web.factory() as session:
        warning = session.scalar(select(MaterialWarning))
        assert warning is not None and warning.level == "yellow" and warning.material_id == "copper"


def test_a_refused_decision_shows_why_and_keeps_nothing(web: Web) -> None:
    items = evaluate(web, {"copper": ("yellow", "up")})
    with web.factory() as session:
        before = session.scalar(select(func.count()).select_from(AuditEntry))
    no_reason = web.post("otto", f"/items/{items['copper']}/reject", {"reason": "  "})
    assert no_reason.status_code == 409 and "a rejection needs a reason" in no_reason.text
    past = web.post("otto", f"/items/{items['copper']}/snooze", {"until": "2020-01-01T09:00"})
    assert past.status_code == 409 and "not in the future" in past.text
    garbled = web.post("otto", f"/items/{items['copper']}/snooze", {"until": "soon"})
    assert garbled.status_code == 409
    same = web.post(
        "otto",
        f"/items/{items['copper']}/adjust",
        {"reason": "x", "level": "yellow", "direction": "up"},
    )
    assert same.status_code == 409 and "must change" in same.text
    with web.factory() as session:
        item = session.get(ReviewItem, items["copper"])
        assert item is not None and item.state == "pending" and item.final_level is None
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == before
    assert web.post("otto", "/items/999/approve", {}).status_code == 404
    assert web.as_("otto").get("/items/999").status_code == 404


def test_adjust_reject_and_snooze_from_the_item_page(web: Web) -> None:
    items = evaluate(
        web, {"copper": ("red", "up"), "zinc": ("yellow", "down"), "urea": ("yellow", "up")}
    )
    adjusted = web.post(
        "otto",
        f"/items/{items['copper']}/adjust",
        {"reason": "only one indicator", "level": "yellow", "direction": "up", "text_zh": "黄色"},
    )
    assert adjusted.status_code == 303 and "done=adjusted" in adjusted.headers["location"]
    rejected = web.post("otto", f"/items/{items['zinc']}/reject", {"reason": "a roll jump"})
    assert rejected.status_code == 303
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).astimezone(
        __import__("zoneinfo").ZoneInfo("Asia/Shanghai")
    )
    snoozed = web.post(
        "otto", f"/items/{items['urea']}/snooze", {"until": tomorrow.strftime("%Y-%m-%dT%H:%M")}
    )
    assert snoozed.status_code == 303
    with web.factory() as session:
        states = {
            i.material_id: (i.state, i.final_level) for i in session.scalars(select(ReviewItem))
        }
    assert states == {
        "copper": ("approved", "yellow"),
        "zinc": ("rejected", None),
        "urea": ("snoozed", None),
    }
    snoozed_queue = web.as_("otto").get("/queue?state=snoozed").text
    assert f'data-item="{items["urea"]}"' in snoozed_queue and "暂缓至" in snoozed_queue
    again = web.post("otto", f"/items/{items['copper']}/approve", {})
    assert again.status_code == 409


def test_the_material_page_gives_each_view_and_the_data_to_download(
    web: Web, tmp_path: Path
) -> None:
    copper_prices(web, tmp_path)
    browser = web.as_("vera")
    page = browser.get("/materials/copper").text
    daily = chart_data(page, "material-chart")
    assert daily["series"]["name"] == "铜 日度价格（SHFE 期货）"
    assert len(daily["series"]["points"]) > 400
    assert daily["timeline"] and {"from", "to", "level"} <= set(daily["timeline"][0])
    for view, most in (("W", 110), ("M", 25), ("Q", 9), ("Y", 3)):
        shown = chart_data(browser.get(f"/materials/copper?view={view}").text, "material-chart")
        assert 0 < len(shown["series"]["points"]) <= most, view
    monthly_series = browser.get("/materials/copper?series=copper_wb_monthly&view=D").text
    assert 'class="unavailable"' in monthly_series  # a monthly series has no daily view
    assert browser.get("/materials/unobtainium").status_code == 404

    table = browser.get("/materials/copper/data.csv?series=copper_shfe_futures&view=M")
    assert table.headers["content-type"].startswith("text/csv")
    assert "attachment" in table.headers["content-disposition"]
    assert table.content.startswith(b"\xef\xbb\xbf")  # a BOM for spreadsheet programs
    rows = list(csv.DictReader(io.StringIO(table.content.decode("utf-8-sig"))))
    assert rows[0]["frequency"] == "M" and len(rows) == 24
    everything = browser.get("/materials/copper/data.csv")
    assert "copper_shfe_futures_weekly" in everything.text and "suspect" in everything.text
    workbook = openpyxl.load_workbook(
        io.BytesIO(browser.get("/materials/copper/data.xlsx").content)
    )
    sheet = workbook.active
    assert sheet is not None and sheet.max_row > 400
    assert browser.get("/materials/copper/data.csv?series=zinc_shfe_futures").status_code == 404


def test_the_feeds_page_lists_runs_stale_series_suspects_and_rejected_rows(
    web: Web, tmp_path: Path
) -> None:
    copper_prices(web, tmp_path, jump_on=date(2026, 11, 25))
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "series_id,material,indicator,frequency,period,value,unit\n"
        "copper_shfe_futures,copper,price,D,2026-11-31,1,CNY/t\n",
        encoding="utf-8",
    )
    ingest_file(web.factory, bad, today=TODAY)
    page = web.as_("vera").get("/feeds").text
    assert "copper_shfe_futures" in page and "可疑数值" in page
    assert re.search(r"2026年11月25日</td><td class=\"num\">[\d,]+</td>", page)
    assert 'action="/feeds/suspects/clear"' not in page  # a viewer cannot clear
    assert "bad.csv" in page and '<td class="num">2</td>' in page  # the rejected row's line
    assert "过期序列" in page and "zinc" in page  # stale (no data at all) series are listed


def test_an_operator_clears_a_suspect_flag_and_its_week_is_derived_again(
    web: Web, tmp_path: Path
) -> None:
    jump = date(2026, 11, 25)
    copper_prices(web, tmp_path, jump_on=jump)
    week = jump - timedelta(days=jump.weekday())
    weekly_before = _value(web, "copper_shfe_futures_weekly", week)

    assert (
        web.post(
            "otto",
            "/feeds/suspects/clear",
            {"series_id": "copper_shfe_futures", "period": jump.isoformat(), "reason": ""},
        )
        .headers["location"]
        .endswith("problem=reason#suspects")
    )
    cleared = web.post(
        "otto",
        "/feeds/suspects/clear",
        {"series_id": "copper_shfe_futures", "period": jump.isoformat(), "reason": "a real spike"},
    )
    assert cleared.status_code == 303 and "cleared=" in cleared.headers["location"]
    with web.factory() as session:
        observation = session.get(Observation, ("copper_shfe_futures", jump))
        assert observation is not None and not observation.suspect
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "suspect_cleared"))
        assert entry is not None and entry.actor == "otto" and entry.comment == "a real spike"
        assert entry.material_id == "copper" and "2026-11-25" in (entry.subject or "")
        runs = session.scalars(select(EvaluationRun.trigger)).all()
        assert "suspect-cleared" in runs  # evaluated after the derivation
    weekly_after = _value(web, "copper_shfe_futures_weekly", week)
    assert weekly_after > 2 * weekly_before  # the spike now counts in its week's mean
    again = web.post(
        "otto",
        "/feeds/suspects/clear",
        {"series_id": "copper_shfe_futures", "period": jump.isoformat(), "reason": "again"},
    )
    assert again.headers["location"].endswith("problem=unknown#suspects")


def _value(web: Web, series_id: str, period: date) -> float:
    with web.factory() as session:
        observation = session.get(Observation, (series_id, period))
        assert observation is not None
        return observation.value


def test_the_admin_page_manages_users_tokens_and_silences_and_shows_the_policy(web: Web) -> None:
    page = web.as_("ada").get("/admin").text
    assert "<code>WARNING_REVIEW_AUTO_APPROVE</code>" in page and "2 小时" in page
    assert "蓝色 · 任何变化" in page and "任何级别 · 解除预警" in page  # blue:*, *:end
    added = web.post(
        "ada", "/admin/users", {"name": "li.wei", "role": "operator", "password": "long-password-1"}
    )
    assert added.status_code == 303 and "li.wei" in web.as_("ada").get("/admin").text
    short = web.post(
        "ada", "/admin/users", {"name": "li.na", "role": "viewer", "password": "short"}
    )
    assert short.status_code == 409 and "at least 10" in short.text

    made = web.post(
        "ada", "/admin/tokens", {"user": "li.wei", "label": "script", "expires_days": "30"}
    )
    token = re.search(r'<code class="secret">(wt_[^<]+)</code>', made.text)
    assert made.status_code == 200 and token
    bearer = {"Authorization": f"Bearer {token.group(1)}"}
    assert web.anonymous().get("/api/v1/materials", headers=bearer).status_code == 200
    assert token.group(1) not in web.as_("ada").get("/admin").text  # shown once
    token_id = re.search(
        r'<tr><td>(\d+)</td><td><span translate="no">li.wei</span></td>',
        web.as_("ada").get("/admin").text,
    )
    assert token_id
    assert web.post("ada", f"/admin/tokens/{token_id.group(1)}/revoke", {}).status_code == 303
    assert web.anonymous().get("/api/v1/materials", headers=bearer).status_code == 401

    silenced = web.post(
        "otto",
        "/admin/silences",
        {"material": "copper", "ends_at": "2099-01-01T09:00", "comment": "maintenance"},
    )
    assert silenced.status_code == 303
    silence_id = re.search(
        r'action="/admin/silences/(\d+)/delete"', web.as_("otto").get("/admin").text
    )
    assert silence_id
    assert web.post("otto", f"/admin/silences/{silence_id.group(1)}/delete", {}).status_code == 303
    assert (
        web.post(
            "otto", "/admin/silences", {"ends_at": "2099-01-01T09:00", "comment": ""}
        ).status_code
        == 409
    )
    viewer = web.as_("vera").get("/admin").text
    assert "li.wei" not in viewer and "WARNING_REVIEW_DEADLINE_HOURS" in viewer


def test_the_language_switches_per_user_and_is_remembered(web: Web) -> None:
    evaluate(web, {"copper": ("yellow", "up")})
    browser = web.as_("vera")
    chinese = browser.get("/").text
    assert (
        '<html lang="zh-CN">' in chinese and "预警看板" in chinese and "2026年11月30日" in chinese
    )

    english = browser.get("/queue?lang=en").text
    assert '<html lang="en">' in english and "Review queue" in english and "New warning" in english
    board = browser.get("/").text  # no ?lang: remembered for the user
    assert "Board" in board and "30 Nov 2026" in board and "Non-ferrous metals" in board
    assert '<html lang="zh-CN">' in web.as_("otto").get("/").text  # other users keep theirs
    assert '<html lang="zh-CN">' in browser.get("/?lang=zh").text
    assert '<html lang="zh-CN">' in browser.get("/admin").text

    login_page = web.anonymous().get("/login?lang=en")
    assert "Log in" in login_page.text and "warning_lang=en" in login_page.headers["set-cookie"]


def test_numbers_and_dates_follow_the_language(web: Web) -> None:
    templates = web.app.state.web.templates
    zh, en = templates.formats("zh"), templates.formats("en")
    assert zh.value(107520.0) == "107,520" and en.value(1234.5) == "1,234"
    assert zh.percent(2.34) == "+2.3%" and en.percent(-1.06) == "-1.1%"
    assert (
        zh.date(date(2026, 8, 21)) == "2026年8月21日"
        and en.date(date(2026, 8, 21)) == "21 Aug 2026"
    )
    moment = datetime(2026, 8, 21, 1, 30, tzinfo=UTC)
    assert zh.datetime(moment) == "2026-08-21 09:30"  # in the desk's zone
    assert zh.ago(moment - timedelta(hours=3), moment) == "3小时前"
    assert en.ago(moment - timedelta(hours=3), moment) == "3 hours ago"


def test_the_feeds_page_shows_the_canarys_failures_and_its_calendar_warning(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = CanaryReport(
        at=datetime(2026, 11, 30, 0, 5, tzinfo=UTC),
        seconds=12.0,
        lines=(
            CanaryLine("copper_shfe_futures", "ok", rows=2),
            CanaryLine(
                "iron_ore_dce_stocks",
                "failed",
                columns_ok=False,
                problem="column 'receipt' for series iron_ore_dce_stocks not found",
            ),
        ),
        warnings=("AKShare's trading calendar ends on 2026-12-31 (in 31 days)",),
    )
    monkeypatch.setattr(feeds_route, "load_report", lambda _settings: report)
    page = web.as_("vera").get("/feeds").text
    assert "在线数据源" in page and "2 个数据源中 1 个失败" in page
    assert "iron_ore_dce_stocks" in page and "column &#39;receipt&#39;" in page
    assert "copper_shfe_futures" not in page.split('id="canary"')[1].split("</section>")[0]
    assert "trading calendar ends on 2026-12-31" in page


def test_the_feeds_page_shows_the_cross_checks_that_need_a_look_by_series_name(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = CrossCheckReport(
        at=datetime(2026, 11, 30, 0, 35, tzinfo=UTC),
        lines=(
            CrossCheckLine("zinc_100ppi", "zinc_shfe_futures", CrossCheckStatus.OK, 0.03, 5),
            CrossCheckLine(
                "copper_100ppi",
                "copper_shfe_futures",
                CrossCheckStatus.FLAGGED,
                0.03,
                compared=5,
                flagged_periods=1,
                worst_period="2026-11-27",
                ours=80000.0,
                theirs=88000.0,
                difference=0.1,
            ),
        ),
    )
    monkeypatch.setattr(feeds_route, "load_cross_checks", lambda _settings: report)
    page = web.as_("vera").get("/feeds").text
    section = page.split('id="cross-checks"')[1].split("</section>")[0]
    assert "与第二来源的交叉核对" in page and "2 个序列中 1 个超出容差或失败" in section
    assert "铜" in section and "copper_100ppi" in section
    assert "2026年11月27日：库中 80,000，第二来源 88,000（+10.0%）" in section
    assert "zinc_100ppi" not in section  # agreed: not listed
    english = web.as_("vera").get("/feeds?lang=en").text
    assert "stored 80,000, second source 88,000 (+10.0%)" in english
    monkeypatch.setattr(feeds_route, "load_cross_checks", lambda _settings: None)
    assert 'id="cross-checks"' not in web.as_("vera").get("/feeds").text


def test_the_board_has_a_dense_table_downloaded_as_csv_and_xlsx(web: Web) -> None:
    items = evaluate(web, {"copper": ("red", "up"), "zinc": ("normal", "")})
    browser = web.as_("vera")
    page = browser.get("/").text
    table = re.search(r'<table class="dense sortable" data-sortable>(.*?)</table>', page, re.S)
    assert table and table.group(1).count("<tr data-material=") == 19
    copper = re.search(r'<tr data-material="copper">(.*?)</tr>', table.group(1), re.S)
    assert copper and 'data-value="4"' in copper.group(1)  # red sorts above everything
    assert f'href="/items/{items["copper"]}"' in copper.group(1) and "已确认" in copper.group(1)

    answer = browser.get("/board.csv")
    assert answer.headers["content-disposition"] == 'attachment; filename="board.csv"'
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert len(rows) == 19
    row = next(r for r in rows if r["material_id"] == "copper")
    assert (row["品种"], row["级别"], row["待审核"]) == ("铜", "红色", str(items["copper"]))
    english = browser.get("/board.xlsx?lang=en")
    sheet = openpyxl.load_workbook(io.BytesIO(english.content)).active
    assert sheet is not None and sheet.max_row == 20 and sheet["B1"].value == "Material"
    assert browser.get("/board.pdf").status_code == 404


def test_a_tile_with_no_price_names_the_series_no_public_source_gives(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the live feed set lists what no public source gives (feeds/data/live.yaml, unsourced)
    live = load_definitions(BUNDLED_LIVE)
    assert "cement_spot" in live.unsourced
    app = create_web_app(web.context, definitions=live)
    assert app.state.web.board.unsourced == frozenset(live.unsourced)
    monkeypatch.setattr(
        web.app.state.web.board, "unsourced", frozenset({"cement_spot"})
    )  # the default (local) feed set of the test app lists none
    page = web.as_("vera").get("/").text
    cement = re.search(r'data-material="cement">(.*?)</article>', page, re.S)
    copper = re.search(r'data-material="copper">(.*?)</article>', page, re.S)
    assert cement and copper
    assert "无公开来源：水泥" in cement.group(1) and "cement_spot" not in cement.group(1)
    assert "无公开来源" not in copper.group(1)  # copper's series all have feeds
