"""The daily digest (HTML + text, zh and en, charts as CID) and the bulletins as DOCX."""

from __future__ import annotations

import asyncio
import email
import email.policy
import io
from datetime import date, datetime, timedelta, timezone

import docx
import pytest
from aiosmtpd.controller import Controller

from alerts import Chart, Language, MailSettings, NoticeKind
from alerts.bulletin import bulletin_docx
from alerts.digest import (
    ActiveWarning,
    BoardRow,
    Digest,
    DigestChange,
    DigestKind,
    digest_email,
    render_digest,
    send_digest,
)
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


@pytest.mark.parametrize("language", list(Language))
def test_bulletin_docx_reads_back(language: Language) -> None:
    bulletin = digest(
        DigestKind.WEEKLY, period_start=date(2026, 2, 23), period_end=date(2026, 3, 1)
    )
    data = bulletin_docx(bulletin, language)
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    title = "原材料供需预警周报" if language is Language.ZH else "Raw-material early warning weekly"
    assert texts[0].startswith(title)
    table = document.tables[0]
    assert len(table.rows) == 1 + len(bulletin.board)
    first_row = [c.text for c in table.rows[1].cells]
    assert first_row[0] == ("铜" if language is Language.ZH else "Copper")
    assert first_row[3] == "98,450 元/吨"
    assert len(document.inline_shapes) == 1  # the copper chart
    reason = "库存连续累积" if language is Language.ZH else "Stocks keep building"
    assert reason in texts and HOSTILE in texts  # DOCX is text: kept verbatim, not markup
    assert document.core_properties.created == bulletin.generated_at  # the same instant
    east_asian = document.styles["Normal"].element.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    )
    assert east_asian == ("宋体" if language is Language.ZH else "Calibri")


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
