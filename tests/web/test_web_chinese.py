"""Chinese all the way: every page, walked from the app's own route table as an admin on a
store holding a bit of everything (warnings at every basis, indicators, audit, a directory,
deliveries, silences, feeds with stale, suspect and rejected data), shows no Latin word
outside the allow-list, a ``<code>`` element or an element marked ``translate="no"``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import update

from tests.web.conftest import REPORTER, Web
from tests.web.test_web_operations import ROWS, _csv, _dead_and_sent, _upload
from tests.web.test_web_pages import add_indicators, copper_prices, evaluate
from tests.web.test_web_security import SAMPLE_PARAMS
from warning import clock
from warning.catalog import load_catalog
from warning.delivery.models import Delivery
from warning.evaluation.models import Assessment, IndicatorAssessment
from warning.feeding.models import FeedRunStatus, FeedState
from warning.jobs.ingest import ingest_file
from warning.review.models import ReviewItem
from warning.store import transaction
from warning.web.i18n import SECTOR_NAMES, Formats, load_translations
from warning.web.reasons import translate_reason
from warning.web.words import SeriesLike, Words

# Abbreviations and units a Chinese page may show as they are (the contract's "CNY/t, SHFE,
# XLSX"): currencies, exchanges and publishers, file formats.
ALLOWED = frozenset(
    {
        *("CNY", "USD", "dmtu", "kW"),
        *("SHFE", "DCE", "CZCE", "GFEX", "INE", "LME", "NBS"),
        *("CSV", "XLSX", "DOCX", "API", "HTTP", "HTTPS", "SMTP", "URL", "UTC"),
    }
)
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z]+")
EXEMPT_TAGS = frozenset({"code", "kbd", "script", "style"})
SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
VOID = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"})
SKIPPED_PREFIXES = ("/api/", "/static", "/unsubscribe", "/w/")


@dataclass
class LatinFinder(HTMLParser):
    """Latin words in what a page shows, with the element they sit in."""

    found: list[str] = field(default_factory=list)
    stack: list[tuple[str, bool]] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    @property
    def exempt(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        exempt = self.exempt or tag in EXEMPT_TAGS or attributes.get("translate") == "no"
        if not exempt:
            for name in SHOWN_ATTRIBUTES:
                self._check(attributes.get(name) or "", f"<{tag} {name}>")
        if tag not in VOID:
            self.stack.append((tag, exempt))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.exempt:
            self._check(data, f"<{self.stack[-1][0] if self.stack else ''}>")

    def _check(self, text: str, where: str) -> None:
        for word in LATIN_WORD.findall(text):
            if word not in ALLOWED:
                self.found.append(f"{where} {word!r} in {text.strip()[:120]!r}")


def latin_words(html: str) -> list[str]:
    finder = LatinFinder()
    finder.feed(html)
    finder.close()
    return finder.found


def test_the_finder_sees_words_outside_code_and_untranslated_elements() -> None:
    assert latin_words("<p>铜 <code>copper_shfe_futures</code> 元</p>") == []
    assert latin_words('<p>铜 <span translate="no">Demo Co <b>Ltd</b></span></p>') == []
    assert latin_words("<p>价格 CNY/t，SHFE，XLSX</p>") == []
    assert len(latin_words("<p>基于 confirmed</p>")) == 1
    assert len(latin_words('<input placeholder="Reason">')) == 1
    assert len(latin_words("<p><code>ok</code> failed</p>")) == 1  # code ends at </code>
    assert len(latin_words("<title>看板 · Board</title>")) == 1


def _store_with_a_bit_of_everything(web: Web, tmp_path: Path) -> dict[str, str]:
    """What the demo gives a page to show, made small: the values of the route parameters."""
    copper_prices(web, tmp_path, jump_on=date(2026, 11, 2))
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "series_id,material,indicator,frequency,period,value,unit\n"
        "copper_shfe_futures,copper,price,D,2026-11-31,70000,CNY/t\n"
        "copper_shfe_futures,copper,price,D,2026-11-27,-5,CNY/t\n",
        encoding="utf-8",
    )
    ingest_file(web.factory, bad, today=date(2026, 11, 30))
    evaluate(
        web, {"copper": ("yellow", "up"), "soda_ash": ("blue", "down"), "zinc": ("normal", "")}
    )
    items = evaluate(
        web,
        {"copper": ("red", "up"), "soda_ash": ("yellow", "down"), "methanol": ("yellow", "up")},
        day=1,
    )
    add_indicators(web, "copper")
    with transaction(web.factory) as session:  # what the rules write, in Chinese
        session.execute(update(Assessment).values(reasons_zh="价格同比上涨 31%"))
        session.execute(update(ReviewItem).values(reasons_zh="价格同比上涨 31%"))
        session.execute(update(IndicatorAssessment).values(reason_zh="铜价同比上涨 31%"))
        for material, basis in (("soda_ash", "held"), ("methanol", "pending"), ("zinc", "capped")):
            session.execute(
                update(Assessment).where(Assessment.material_id == material).values(basis=basis)
            )
    _dead_and_sent(web)
    assert _upload(web, "ada", "contacts.csv", _csv(*ROWS[1:])).status_code == 303
    with transaction(web.factory) as session:
        session.execute(update(Delivery).values(last_error="cannot resolve the host"))
        now = clock.now()
        session.add_all(
            [
                FeedState(feed_id="shfe_futures", last_run_at=now, last_status=FeedRunStatus.OK),
                FeedState(
                    feed_id="nbs_output",
                    last_run_at=now,
                    last_status=FeedRunStatus.FAILED,
                    consecutive_failures=3,
                    failing=True,
                    last_error="HTTP 503 Service Unavailable",
                ),
            ]
        )
    ends = (clock.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    for material in ("flat_glass", ""):
        answer = web.post(
            "ada", "/admin/silences", {"material": material, "ends_at": ends, "comment": "检修"}
        )
        assert answer.status_code == 303, answer.text[:500]
    by_matcher = {  # every matcher, an enterprise with an English name, starting tomorrow
        "sector": "chemicals",
        "level": "yellow",
        "direction": "down",
        "enterprise": "91440300708461136T",
        "starts_at": (clock.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "duration": "7d",
        "comment": "装置检修",
    }
    assert web.post("otto", "/admin/silences", by_matcher).status_code == 303
    web.post("otto", f"/items/{items['soda_ash']}/approve", {"comment": "同意"})
    web.post("otto", f"/items/{items['methanol']}/reject", {"reason": "数据不足"})
    assert web.post("otto", "/feeds/derive", {"series": ""}).status_code == 200  # audited
    assert web.post("ada", "/admin/tokens", {"user": "vera", "label": "报表"}).status_code == 200
    return {**SAMPLE_PARAMS, "item_id": str(items["copper"])}


def _pages(web: Web, params: dict[str, str]) -> list[str]:
    """Every GET page of the route table, with these parameter values."""
    found = []
    for route in iter_route_contexts(web.app.routes):
        path = getattr(route, "path", "")
        methods = getattr(route, "methods", None) or set()
        if path.startswith(SKIPPED_PREFIXES) or "GET" not in methods:
            continue
        found.append(re.sub(r"\{(\w+)\}", lambda m: params[m.group(1)], path))
    return found


EXTRA_VIEWS = (
    "/queue?state=snoozed",
    "/deliveries?status=dead",
    "/materials/copper?series=copper_shfe_futures_weekly&view=M",
    "/directory?q=铜",
)


def test_every_page_in_chinese_shows_chinese_words_only(web: Web, tmp_path: Path) -> None:
    params = _store_with_a_bit_of_everything(web, tmp_path)
    browser = web.as_("ada")
    browser.get("/?lang=zh")
    walked, problems = [], []
    for path in [*_pages(web, params), *EXTRA_VIEWS]:
        answer = browser.get(path)
        if answer.status_code == 403:  # an enterprise's reporting pages: as its reporter
            answer = web.as_(REPORTER).get(f"{path}?lang=zh")
        if not answer.headers.get("content-type", "").startswith("text/html"):
            continue
        assert answer.status_code == 200, (path, answer.status_code)
        walked.append(path)
        problems += [f"{path}: {problem}" for problem in latin_words(answer.text)]
    refused = _upload(web, "ada", "bad.csv", _csv(ROWS[0].replace(",zh,", ",xx,")))
    problems += [f"import refused: {p}" for p in latin_words(refused.text)]
    loaded = web.as_("ada").post(
        "/feeds/upload",
        data={"csrf_token": web.csrf("ada")},
        files={"file": ("bad.csv", (tmp_path / "bad.csv").read_bytes(), "text/csv")},
    )
    assert loaded.status_code == 200 and '<dd class="rejected">2</dd>' in loaded.text
    problems += [f"upload report: {p}" for p in latin_words(loaded.text)]
    assert {"/", "/queue", "/feeds", "/admin", "/deliveries", "/directory"} <= set(walked)
    assert f"/items/{params['item_id']}" in walked and "/materials/copper" in walked
    assert {"/report", "/report-overdue", "/audit"} <= set(walked)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ["en"])
def test_english_pages_name_indicators_not_ids(web: Web, tmp_path: Path, language: str) -> None:
    params = _store_with_a_bit_of_everything(web, tmp_path)
    page = web.as_("ada").get(f"/items/{params['item_id']}?lang={language}").text
    assert "Price change year on year" in page
    assert ">price_yoy<" not in page


def _words(language: str) -> Words:
    translations = load_translations(language)
    formats = Formats(language, ZoneInfo("Asia/Shanghai"), translations.gettext)
    return Words(formats, load_catalog().names())


def test_reasons_read_in_the_pages_language_and_unknown_ones_stay_raw_in_code() -> None:
    zh = load_translations("zh").gettext
    stale = "659 trading day(s) without data since 2024-01-31 (grace 2)"
    assert str(translate_reason(stale, zh)) == (
        "自 <code>2024-01-31</code> 起 659 个交易日无数据（允许 2 个）"
    )
    nested = f"its source copper_shfe_futures is stale: {stale}"
    assert "其源序列 <code>copper_shfe_futures</code> 已过期：自" in translate_reason(nested, zh)
    assert str(translate_reason("HTTP 503 Service Unavailable", zh)) == (
        "服务器答复 HTTP <code>503</code>"
    )
    odd = "check character is 'X' <b>"
    assert str(translate_reason(odd, zh)) == (
        '原文：<code class="raw-reason">check character is &#39;X&#39; &lt;b&gt;</code>'
    )


def test_thresholds_subscriptions_and_series_read_as_words() -> None:
    zh, en = _words("zh"), _words("en")
    text = "up: blue 10%, yellow 15%; down: yellow -15%"
    assert str(zh.thresholds(text)) == "上行：蓝色 10%、黄色 15%；下行：黄色 -15%"
    assert str(en.thresholds(text)) == "rising: Blue 10%, Yellow 15%; falling: Yellow -15%"
    assert str(zh.thresholds("something else")) == "<code>something else</code>"
    wanted = zh.subscription(
        materials="methanol,soda_ash", sectors="", min_level="blue", directions="down,up"
    )
    assert str(wanted).startswith("甲醇、纯碱：蓝色及以上（")
    assert str(zh.rule("spot_basis")) == "期现基差与一年常态对比"
    assert str(en.rule("spot_basis")) == "Spot-futures basis against its one-year norm"
    assert str(zh.rule("made_up")) == "<code>made_up</code>"
    futures = SeriesLike("copper_shfe_futures", "copper", "price", "D")
    assert zh.series(futures) == "铜 日度价格（SHFE 期货）"
    assert en.series(futures) == "Copper daily price (SHFE futures)"


def test_the_pages_name_each_sector_as_the_catalog_does() -> None:
    # the board, queue and directory name sectors through the web's message catalog; the
    # digests and bulletins through catalog.yaml: the two must never read differently
    catalog = load_catalog()
    assert set(SECTOR_NAMES) == set(catalog.sectors)
    chinese = load_translations("zh").gettext
    for sector in catalog.sectors:
        name_zh, name_en = catalog.sector_names(sector)
        assert (chinese(SECTOR_NAMES[sector]), SECTOR_NAMES[sector]) == (name_zh, name_en)
