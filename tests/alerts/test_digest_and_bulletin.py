"""The daily digest (HTML + text, zh and en, charts as CID) and the bulletins as DOCX."""

from __future__ import annotations

import asyncio
import email
import email.policy
import html
import io
import re
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

import docx
import pytest
from aiosmtpd.controller import Controller
from docx.shared import RGBColor

from alerts import Chart, Language, MailSettings, NoticeKind
from alerts.bulletin import bulletin_docx, heading_number
from alerts.digest import (
    ActiveWarning,
    BoardRow,
    ChartInfo,
    Digest,
    DigestChange,
    DigestKind,
    IndicatorLevel,
    Issuer,
    LevelLine,
    change_text,
    digest_email,
    render_digest,
    send_digest,
)
from alerts.labels import LABELS
from tests.alerts.samples import NOW, PNG, recipient
from tests.alerts.test_email_delivery import Mailbox, free_port
from vocabulary import Direction, Level

SHANGHAI = timezone(timedelta(hours=8), "CST")
HOSTILE = "<script>alert('digest')</script>"


def digest(kind: DigestKind = DigestKind.DAILY, **overrides: object) -> Digest:
    fields: dict[str, object] = {
        "kind": kind,
        "period_start": date(2026, 3, 3),
        "period_end": date(2026, 3, 3),
        "generated_at": datetime(2026, 3, 3, 8, 30, tzinfo=SHANGHAI),
        "board": (
            BoardRow(
                "copper",
                "铜",
                "Copper",
                Level.RED,
                Direction.UP,
                98450.0,
                "元/吨",
                date(2026, 3, 2),
                previous_level=Level.YELLOW,
            ),
            BoardRow(
                "nickel",
                "镍",
                "Nickel",
                Level.YELLOW,
                Direction.DOWN,
                131200.0,
                "元/吨",
                date(2026, 3, 2),
            ),
            BoardRow(
                "iron_ore",
                "铁矿石",
                "Iron ore",
                Level.NORMAL,
                Direction.NONE,
                812.5,
                "元/吨",
                date(2026, 3, 2),
            ),
            BoardRow("lithium", "锂", "Lithium", Level.NO_DATA, Direction.NONE, None, "", None),
        ),
        "changes": (
            DigestChange(
                "copper",
                "铜",
                "Copper",
                NoticeKind.ESCALATED,
                Level.RED,
                Direction.UP,
                date(2026, 3, 2),
                previous_level=Level.YELLOW,
            ),
        ),
        "active": (
            ActiveWarning(
                "w-18",
                "nickel",
                "镍",
                "Nickel",
                Level.YELLOW,
                Direction.DOWN,
                date(2026, 2, 1),
                ("库存连续累积",),
                ("Stocks keep building",),
                "https://warning.example.gov.cn/warnings/18",
            ),
            ActiveWarning(
                "w-17",
                "copper",
                "铜",
                "Copper",
                Level.RED,
                Direction.UP,
                date(2026, 2, 27),
                ("价格偏离 2.6 个标准差", HOSTILE),
                ("Price 2.6 SD above its mean", HOSTILE),
                "https://warning.example.gov.cn/warnings/17",
                Chart(PNG, "铜价"),
            ),
        ),
        "link": "https://warning.example.gov.cn/board",
        "notes_zh": ("锂的数据源已 12 天未更新。",),
        "notes_en": ("The lithium source has not updated for 12 days.",),
    }
    fields.update(overrides)
    return Digest(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("language", "subject", "must_contain"),
    [
        (
            Language.ZH,
            "原材料供需预警日报（2026-03-03）：红色 1 · 黄色 1 · 蓝色 0",
            [
                "预警总览",
                "较昨日的变化",
                "预警升级",
                "当前有效预警",
                "库存连续累积",
                "锂的数据源",
                "98,450 元/吨",
                "(原 黄色)",
                "无数据",
            ],
        ),
        (
            Language.EN,
            "Raw-material early warning daily digest (2026-03-03): Red 1 · Yellow 1 · Blue 0",
            [
                "The board",
                "Changes since yesterday",
                "warning raised",
                "Active warnings",
                "Stocks keep building",
                "lithium source",
                "(was Yellow)",
                "No data",
            ],
        ),
    ],
)
def test_daily_digest_in_each_language(
    language: Language, subject: str, must_contain: list[str]
) -> None:
    rendered = render_digest(digest(), language, cid_domain="warning.example.gov.cn")
    assert rendered.subject == subject
    for needle in must_contain:
        assert needle in rendered.text, needle
    for needle in must_contain[:5]:
        assert needle in rendered.html, needle
    # red first among the active warnings
    assert rendered.text.index(
        "铜" if language is Language.ZH else "Copper —"
    ) < rendered.text.index("镍 —" if language is Language.ZH else "Nickel —")


def test_digest_html_escapes_and_inlines_the_chart() -> None:
    rendered = render_digest(digest(), Language.ZH, cid_domain="d")
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html
    assert HOSTILE in rendered.text
    assert [i.cid for i in rendered.images] == ["digest-0-w-17@d"]
    assert 'src="cid:digest-0-w-17@d"' in rendered.html


def test_an_empty_period_says_so() -> None:
    quiet = digest(changes=(), active=(), notes_zh=(), notes_en=())
    rendered = render_digest(quiet, Language.ZH, cid_domain="d")
    assert "无变化。" in rendered.text and "当前无有效预警。" in rendered.text
    assert rendered.images == ()


@pytest.mark.parametrize(
    ("kind", "start", "end", "zh", "en"),
    [
        (
            DigestKind.WEEKLY,
            date(2026, 2, 23),
            date(2026, 3, 1),
            "周报（2026-02-23 至 2026-03-01）",
            "weekly bulletin (2026-02-23 to 2026-03-01)",
        ),
        (
            DigestKind.MONTHLY,
            date(2026, 2, 1),
            date(2026, 2, 28),
            "月报（2026年2月）",
            "monthly bulletin (February 2026)",
        ),
    ],
)
def test_bulletin_titles(kind: DigestKind, start: date, end: date, zh: str, en: str) -> None:
    bulletin = digest(kind, period_start=start, period_end=end)
    assert zh in render_digest(bulletin, Language.ZH, cid_domain="d").subject
    assert en in render_digest(bulletin, Language.EN, cid_domain="d").subject


ISSUER = Issuer("原材料供需预警办公室", "Raw-Material Early-Warning Office", "电话 010-1234 5678")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def official(**overrides: object) -> Digest:
    """A weekly bulletin with everything an official document carries."""
    fields: dict[str, object] = {
        "period_start": date(2026, 2, 23),
        "period_end": date(2026, 3, 1),
        "issuer": ISSUER,
        "document_number": "原材预警周〔2026〕9号",
        "data_as_of": date(2026, 2, 27),
        "generated_at": datetime(2026, 12, 7, 8, 30, tzinfo=SHANGHAI),
    }
    fields.update(overrides)
    base = digest(DigestKind.WEEKLY)
    active = tuple(
        replace(
            warning,
            meaning_zh="供应严重紧张。",
            meaning_en="Supply is severely tight.",
            actions_zh=("核查库存可用天数。",),
            actions_en=("Check your stock cover.",),
            chart_info=ChartInfo(
                unit="元/吨",
                first=date(2025, 3, 2),
                last=date(2026, 3, 2),
                lines=(
                    LevelLine(Level.YELLOW, Direction.UP, 92000.0),
                    LevelLine(Level.RED, Direction.UP, 104000.0),
                ),
                base_value=80000.0,
                base_date=date(2025, 12, 1),
                horizon_rows=60,
                daily=True,
            ),
        )
        if warning.chart is not None
        else warning
        for warning in base.active
    )
    indicators = (
        IndicatorLevel("zinc", "锌", "Zinc", Level.YELLOW, Direction.DOWN, date(2026, 2, 27)),
    )
    return replace(base, active=active, indicator_levels=indicators, **fields)  # type: ignore[arg-type]


def _open(data: bytes) -> Any:
    return docx.Document(io.BytesIO(data))


@pytest.mark.parametrize("language", list(Language))
def test_bulletin_docx_reads_back(language: Language) -> None:
    bulletin = official()
    document = _open(bulletin_docx(bulletin, language))
    texts = [p.text for p in document.paragraphs]
    title = "原材料供需预警周报" if language is Language.ZH else "Raw-material early warning weekly"
    assert any(text.startswith(title) for text in texts)
    table = document.tables[0]
    assert len(table.rows) == 1 + len(bulletin.board)
    first_row = [c.text for c in table.rows[1].cells]
    assert first_row[0] == ("铜" if language is Language.ZH else "Copper")
    assert first_row[4] == "98,450 元/吨"
    assert len(document.inline_shapes) == 1  # the copper chart
    reason = "库存连续累积" if language is Language.ZH else "Stocks keep building"
    assert any(t.endswith(reason) for t in texts)
    assert any(t.endswith(HOSTILE) for t in texts)  # DOCX is text: kept verbatim, not markup
    assert document.core_properties.created == bulletin.generated_at  # the same instant
    east_asian = document.styles["Normal"].element.rPr.rFonts.get(f"{W}eastAsia")
    assert east_asian == ("FangSong" if language is Language.ZH else "Times New Roman")


@pytest.mark.parametrize(
    ("language", "office", "written_date", "labels"),
    [
        (
            Language.ZH,
            "原材料供需预警办公室",
            "2026年12月7日",
            ["统计期：2026-02-23 至 2026-03-01", "数据截至：2026-02-27", "发布：2026-12-07"],
        ),
        (
            Language.EN,
            "Raw-Material Early-Warning Office",
            "7 December 2026",
            ["Period: 2026-02-23 to 2026-03-01", "Data as of: 2026-02-27", "Issued: 2026-12-07"],
        ),
    ],
)
def test_the_bulletin_is_an_official_document(
    language: Language, office: str, written_date: str, labels: list[str]
) -> None:
    document = _open(bulletin_docx(official(), language))
    section = document.sections[0]
    # A4 and the GB/T 9704 margins: a 156 x 225 mm text area
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.left_margin.mm) == 28 and round(section.right_margin.mm) == 26
    assert round(section.top_margin.mm) == 37 and round(section.bottom_margin.mm) == 35
    texts = [p.text for p in document.paragraphs]
    # the masthead: the office in red, then the number, then the title
    masthead = document.paragraphs[0]
    assert masthead.text == office
    assert masthead.runs[0].font.color.rgb == RGBColor(0xC0, 0x00, 0x00)
    number = next(i for i, t in enumerate(texts) if "原材预警周〔2026〕9号" in t)
    title = next(i for i, t in enumerate(texts) if "周报" in t or "weekly bulletin" in t)
    assert 0 < number < title
    assert re.fullmatch(r"(Document No\. )?原材预警周〔\d{4}〕\d+号", texts[number])
    dates = texts[title + 1]
    for label in labels:
        assert label in dates
    # the signing office and the date written out, at the end, then the contact line
    assert texts.index(office, 1) < texts.index(written_date)
    assert any("010-1234 5678" in t for t in texts[texts.index(written_date) :])
    # header: office and number; footer: — PAGE —
    header = section.header.paragraphs[0].text
    assert office in header and "原材预警周〔2026〕9号" in header
    footer = section.footer.paragraphs[0]
    assert footer.text.startswith("— ") and footer.text.endswith(" —")
    instructions = [node.text for node in footer._p.iter(f"{W}instrText")]
    assert [i.strip() for i in instructions] == ["PAGE"]
    kinds = [node.get(f"{W}fldCharType") for node in footer._p.iter(f"{W}fldChar")]
    assert kinds == ["begin", "separate", "end"]


@pytest.mark.parametrize(
    ("language", "headings"),
    [
        (Language.ZH, ["一、总体情况", "二、本期变化", "三、分品种预警", "（一）铜 红色预警"]),
        (Language.EN, ["1. Overview", "2. Changes in the period", "(1) Copper Red warning"]),
    ],
)
def test_headings_are_numbered(language: Language, headings: list[str]) -> None:
    texts = [p.text for p in _open(bulletin_docx(official(), language)).paragraphs]
    for heading in headings:
        assert heading in texts, (heading, texts)


@pytest.mark.parametrize(
    ("language", "title", "note", "meaning", "action"),
    [
        (
            Language.ZH,
            "图1 铜价格走势（2025-03-02至2026-03-02，单位：元/吨）",
            "虚线为预警线：以2025-12-01的80,000为基准，60个交易日涨跌幅达到各级阈值时的价格"
            "（黄色 ≥ 92,000、红色 ≥ 104,000）。",
            "供应严重紧张。",
            "核查库存可用天数。",
        ),
        (
            Language.EN,
            "Figure 1. Copper: price, 2025-03-02 to 2026-03-02 (元/吨)",
            "Dashed lines: the prices at which the 60-trading-day change from 80,000 on "
            "2025-12-01 reaches each level's threshold (Yellow ≥ 92,000, Red ≥ 104,000).",
            "Supply is severely tight.",
            "Check your stock cover.",
        ),
    ],
)
def test_each_warning_says_what_it_means_what_to_do_and_titles_its_chart(
    language: Language, title: str, note: str, meaning: str, action: str
) -> None:
    document = _open(bulletin_docx(official(), language))
    texts = [p.text for p in document.paragraphs]
    picture = next(i for i, p in enumerate(document.paragraphs) if p._p.xpath(".//pic:pic"))
    assert texts[picture + 1 : picture + 3] == [title, note]  # the caption under the chart
    assert meaning in texts and action in texts
    email = render_digest(official(), language, cid_domain="d")
    shown = html.unescape(email.html)
    assert title.split(" ", 1)[-1].removeprefix("1. ") in shown and note in shown


def test_indicator_levels_only_in_the_desks_copy_and_labelled_unreviewed() -> None:
    for language, label in ((Language.ZH, "指标水平（未经审核）"), (Language.EN, "unreviewed")):
        public = [p.text for p in _open(bulletin_docx(official(), language)).paragraphs]
        desk = [
            p.text for p in _open(bulletin_docx(official(), language, desk_copy=True)).paragraphs
        ]
        assert not any(label in t or "指标水平" in t for t in public)
        assert any(label in t for t in desk)
        zinc = "锌" if language is Language.ZH else "Zinc"
        assert not any(t.startswith(zinc) for t in public)
        assert any(t.startswith(zinc) for t in desk)
    rendered = render_digest(official(), Language.ZH, cid_domain="d")
    desk = render_digest(official(), Language.ZH, cid_domain="d", desk_copy=True)
    assert "指标水平" not in rendered.text and "指标水平（未经审核）" in desk.text
    assert "指标水平（未经审核）" in desk.html


@pytest.mark.parametrize(
    ("level", "index", "language", "expected"),
    [
        (1, 1, Language.ZH, "一、"),
        (1, 10, Language.ZH, "十、"),
        (1, 12, Language.ZH, "十二、"),
        (1, 21, Language.ZH, "二十一、"),
        (2, 3, Language.ZH, "（三）"),
        (3, 4, Language.ZH, "4."),
        (1, 2, Language.EN, "2."),
        (2, 2, Language.EN, "(2)"),
        (3, 2, Language.EN, "(b)"),
    ],
)
def test_heading_numbers(level: int, index: int, language: Language, expected: str) -> None:
    assert heading_number(level, index, language) == expected


def test_the_same_digest_gives_the_same_docx_text() -> None:
    one = docx.Document(io.BytesIO(bulletin_docx(digest(), Language.ZH)))
    two = docx.Document(io.BytesIO(bulletin_docx(digest(), Language.ZH)))
    assert [p.text for p in one.paragraphs] == [p.text for p in two.paragraphs]


def test_digest_email_is_sent_to_one_recipient_over_smtp() -> None:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings = MailSettings(
        smtp_url=f"smtp://127.0.0.1:{port}", mail_from="alerts@warning.example.gov.cn"
    )
    try:
        result = asyncio.run(send_digest(digest(), recipient(), settings=settings, now=NOW))
    finally:
        controller.stop()
    assert result.ok, result.error
    got = email.message_from_bytes(mailbox.envelopes[0][2], policy=email.policy.default)
    assert got["Subject"].startswith("原材料供需预警日报（2026-03-03）")
    assert got["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert got["Message-ID"] == result.delivery_id
    images = [p for p in got.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1 and images[0].get_payload(decode=True) == PNG
    again = digest_email(digest(), recipient(), settings=settings, now=NOW)
    assert again["Message-ID"] == got["Message-ID"]  # once per period and recipient


@pytest.mark.parametrize(
    ("language", "needles"),
    [
        (
            Language.ZH,
            [
                "发布单位：原材料供需预警办公室",
                "数据截至：2026-02-27",
                "发布：2026-12-07",
                "自 2026-02-01 起",
                "含义：供应严重紧张。",
                "建议（仅供参考）",
                "核查库存可用天数。",
                "联系方式：电话 010-1234 5678",
            ],
        ),
        (
            Language.EN,
            [
                "Issued by: Raw-Material Early-Warning Office",
                "Data as of: 2026-02-27",
                "Issued: 2026-12-07",
                "since 2026-02-01",
                "What it means: Supply is severely tight.",
                "Suggested actions (advisory)",
                "Check your stock cover.",
                "Contact: 电话 010-1234 5678",
            ],
        ),
    ],
)
def test_the_digest_email_labels_every_date_and_carries_advice_and_issuer(
    language: Language, needles: list[str]
) -> None:
    rendered = render_digest(official(), language, cid_domain="d")
    for needle in needles:
        assert needle in rendered.text, needle
        assert needle.split("：")[-1].split(": ")[-1] in rendered.html, needle


@pytest.mark.parametrize(
    ("change", "language", "expected"),
    [
        (NoticeKind.RESOLVED, Language.ZH, "预警解除（原红色预警）"),
        (NoticeKind.RESOLVED, Language.EN, "warning ended (was a Red warning)"),
        (NoticeKind.ESCALATED, Language.ZH, "预警升级, 红色 (原 黄色)"),
        (NoticeKind.NEW, Language.EN, "new warning, Red"),
    ],
)
def test_a_change_names_its_kind_and_an_end_the_warning_it_ended(
    change: NoticeKind, language: Language, expected: str
) -> None:
    previous = Level.YELLOW if change is NoticeKind.ESCALATED else None
    item = DigestChange(
        "copper", "铜", "Copper", change, Level.RED, Direction.UP, date(2026, 3, 2), previous
    )
    bulletin = official(changes=(item,))
    assert change_text(item, language) == expected
    texts = [p.text for p in _open(bulletin_docx(bulletin, language)).paragraphs]
    assert any(
        t.endswith(f"2026-03-02 {item.name(language)}{LABELS[language].colon}{expected}")
        for t in texts
    )
    assert expected in render_digest(bulletin, language, cid_domain="d").text


def _with_sectors() -> Digest:
    nonferrous, ferrous = ("有色金属", "Non-ferrous metals"), ("黑色金属", "Ferrous metals")
    sectors = {"copper": nonferrous, "nickel": nonferrous, "iron_ore": ferrous}
    board = tuple(
        replace(row, sector_zh=sectors[row.material_id][0], sector_en=sectors[row.material_id][1])
        for row in digest().board
        if row.material_id in sectors
    )
    return digest(board=board)


@pytest.mark.parametrize(
    ("language", "lines"),
    [
        (Language.ZH, ["分行业：", "  有色金属：红色 1 · 黄色 1", "  黑色金属：无"]),
        (
            Language.EN,
            ["By sector:", "  Non-ferrous metals: Red 1 · Yellow 1", "  Ferrous metals: none"],
        ),
    ],
)
def test_the_overview_counts_the_warnings_in_force_by_sector(
    language: Language, lines: list[str]
) -> None:
    rendered = render_digest(_with_sectors(), language, cid_domain="warning.example.gov.cn")
    text = rendered.text.splitlines()
    start = text.index(lines[0])
    assert text[start : start + len(lines)] == lines
    assert lines[1].strip() in html.unescape(rendered.html)
    document = docx.Document(io.BytesIO(bulletin_docx(_with_sectors(), language)))
    paragraphs = [p.text.strip() for p in document.paragraphs]
    assert lines[1].strip() in paragraphs and lines[2].strip() in paragraphs


def test_a_board_without_sectors_has_no_overview_by_sector() -> None:
    rendered = render_digest(digest(), Language.ZH, cid_domain="warning.example.gov.cn")
    assert "分行业" not in rendered.text and "分行业" not in rendered.html
