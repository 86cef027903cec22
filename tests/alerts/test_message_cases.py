"""Every kind of change, in both languages, on every channel: the title, the level words, the
basis, the reasons and the dates a contact reads agree with the event that caused them.

The expected words are written out here (from the catalog as a reader sees it), never taken
from the code under test.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from alerts import EndpointKind, Language, NoticeKind
from alerts.channels import dingtalk, feishu, wecom
from alerts.channels.email import build_email
from alerts.payload import webhook_payload
from alerts.smtp import MailSettings
from tests.alerts.samples import NOW, event, message
from vocabulary import Direction, Level

DECIDED = datetime(2026, 12, 7, 2, 30, tzinfo=UTC)  # 10:30 in Beijing, 2026-12-07
RULES_ZH = ("黄色↓，自2026-08-03起确认。", "甲醇期货同比下跌31%，低于黄色阈值-25%；仍在下降")
RULES_EN = (
    "Yellow ↓ since 2026-08-03, confirmed.",
    "methanol futures down 31 % year on year; still falling",
)


def case_event(change: NoticeKind, level: Level, direction: Direction, **extra: Any) -> Any:
    return event(
        change=change,
        material_id="methanol",
        material_zh="甲醇",
        material_en="Methanol",
        level=level,
        direction=direction,
        basis="confirmed",
        reasons_zh=RULES_ZH,
        reasons_en=RULES_EN,
        since=date(2026, 8, 3),
        data_as_of=date(2026, 8, 21),
        latest_date=date(2026, 8, 21),
        decided_at=DECIDED,
        chart=None,
        **extra,
    )


# (event, zh subject, en subject, zh first statement, en first statement)
CASES = [
    (
        case_event(NoticeKind.NEW, Level.YELLOW, Direction.DOWN),
        "【黄色预警】甲醇：新发预警",
        "[Yellow warning] Methanol: new warning",
        "新发甲醇黄色预警（下行）。",
        "New yellow warning (down) for Methanol.",
    ),
    (
        case_event(NoticeKind.ESCALATED, Level.RED, Direction.DOWN, previous_level=Level.YELLOW),
        "【红色预警】甲醇：预警升级",
        "[Red warning] Methanol: warning raised",
        "甲醇预警由黄色升至红色（下行）。",
        "Methanol: warning raised from yellow to red (down).",
    ),
    (
        case_event(
            NoticeKind.DE_ESCALATED, Level.BLUE, Direction.DOWN, previous_level=Level.YELLOW
        ),
        "【蓝色预警】甲醇：预警降级",
        "[Blue warning] Methanol: warning lowered",
        "甲醇预警由黄色降至蓝色（下行）。",
        "Methanol: warning lowered from yellow to blue (down).",
    ),
    (
        case_event(
            NoticeKind.DIRECTION_CHANGED,
            Level.YELLOW,
            Direction.UP,
            previous_level=Level.YELLOW,
            previous_direction=Direction.DOWN,
        ),
        "【黄色预警】甲醇：预警方向变化",
        "[Yellow warning] Methanol: warning direction changed",
        "甲醇黄色预警方向由下行转为上行。",
        "Methanol: yellow warning turned from down to up.",
    ),
    (
        case_event(NoticeKind.RESOLVED, Level.YELLOW, Direction.DOWN),
        "甲醇：预警解除",
        "Methanol: warning ended",
        "甲醇黄色预警（下行，自2026-08-03起）解除。",
        "Methanol: the yellow warning (down, since 2026-08-03) has ended.",
    ),
    (
        case_event(NoticeKind.REPEAT, Level.RED, Direction.UP),
        "【红色预警】甲醇：预警持续",
        "[Red warning] Methanol: warning still in force",
        "甲醇红色预警（上行）自2026-08-03起持续。",
        "Methanol: red warning (up) in force since 2026-08-03.",
    ),
]
IDS = [case[0].change.value for case in CASES]
FULL_WIDTH = str.maketrans({"[": "［", "]": "］"})
LEVEL_ZH = {Level.RED: "红色", Level.YELLOW: "黄色", Level.BLUE: "蓝色"}
LEVEL_EN = {Level.RED: "Red", Level.YELLOW: "Yellow", Level.BLUE: "Blue"}


def mail_settings() -> MailSettings:
    return MailSettings(smtp_url="smtp://127.0.0.1:1", mail_from="warning@desk.example")


@pytest.mark.parametrize("language", [Language.ZH, Language.EN])
@pytest.mark.parametrize(
    ("case", "subject_zh", "subject_en", "first_zh", "first_en"), CASES, ids=IDS
)
def test_email_title_level_basis_reasons_and_dates_agree(
    case: Any, subject_zh: str, subject_en: str, first_zh: str, first_en: str, language: Language
) -> None:
    mail = build_email(
        message(EndpointKind.EMAIL, case, language=language), settings=mail_settings(), now=NOW
    )
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    zh = language is Language.ZH
    assert mail["subject"] == (subject_zh if zh else subject_en)
    reasons = [line.strip()[2:] for line in text.splitlines() if line.strip().startswith("- ")]
    assert reasons[:3] == [first_zh if zh else first_en, *(RULES_ZH if zh else RULES_EN)][:3]
    assert ("依据：指标确认" if zh else "Basis: confirmed by the indicators") in text
    assert ("数据截至：2026-08-21" if zh else "Data as of: 2026-08-21") in text
    assert ("预警起始：2026-08-03" if zh else "Warning since: 2026-08-03") in text
    assert ("发布：2026-12-07" if zh else "Issued: 2026-12-07") in text
    if case.change is NoticeKind.RESOLVED:
        assert "级别" not in text and "Level:" not in text  # no level of its own
    else:
        level_word = LEVEL_ZH[case.level] if zh else LEVEL_EN[case.level]
        assert (f"级别：{level_word}" if zh else f"Level: {level_word}") in text


@pytest.mark.parametrize(
    ("case", "subject_zh", "subject_en", "first_zh", "first_en"), CASES, ids=IDS
)
def test_webhook_event_carries_the_change_basis_and_whole_statements(
    case: Any, subject_zh: str, subject_en: str, first_zh: str, first_en: str
) -> None:
    payload = webhook_payload(message(EndpointKind.WEBHOOK, case), now=NOW)
    (sent,) = payload["data"]["events"]
    assert sent["change"] == case.change.value
    assert sent["level"] == case.level.value
    assert sent["basis"] == "confirmed"
    assert sent["basis_text"] == {"zh": "指标确认", "en": "confirmed by the indicators"}
    assert sent["reasons"]["zh"] == [first_zh, *RULES_ZH]
    assert sent["reasons"]["en"] == [first_en, *RULES_EN]
    assert sent["since"] == "2026-08-03" and sent["data_as_of"] == "2026-08-21"
    assert sent["decided_at"] == "2026-12-07T02:30:00Z"


def robot_text(kind: EndpointKind, built: Any) -> tuple[str, str]:
    """(title, whole text) of a robot message as its app shows them."""
    if kind is EndpointKind.DINGTALK:
        return built["markdown"]["title"], built["markdown"]["text"]
    if kind is EndpointKind.WECOM:
        content = built["markdown"]["content"]
        return content.splitlines()[0], content
    return built["card"]["header"]["title"]["content"], json.dumps(built, ensure_ascii=False)


@pytest.mark.parametrize("language", [Language.ZH, Language.EN])
@pytest.mark.parametrize("kind", [EndpointKind.DINGTALK, EndpointKind.WECOM, EndpointKind.FEISHU])
@pytest.mark.parametrize(
    ("case", "subject_zh", "subject_en", "first_zh", "first_en"), CASES, ids=IDS
)
def test_robot_title_and_first_statement_agree(
    case: Any,
    subject_zh: str,
    subject_en: str,
    first_zh: str,
    first_en: str,
    kind: EndpointKind,
    language: Language,
) -> None:
    built_message = message(kind, case, language=language)
    built = {
        EndpointKind.DINGTALK: lambda: dingtalk.body(built_message),
        EndpointKind.WECOM: lambda: wecom.body(built_message),
        EndpointKind.FEISHU: lambda: feishu.body(built_message, None, NOW),
    }[kind]()
    title, text = robot_text(kind, built)
    zh = language is Language.ZH
    expected_title = subject_zh if zh else subject_en
    if kind is EndpointKind.WECOM:  # no title field: the first line, through the markup filter
        assert title == "**" + expected_title.translate(FULL_WIDTH) + "**"
    else:
        assert title == expected_title
    assert (first_zh if zh else first_en) in text  # whole, and before the rules' statements
    assert text.index(first_zh if zh else first_en) < text.index(RULES_ZH[0] if zh else RULES_EN[0])
    assert ("指标确认" if zh else "confirmed by the indicators") in text
    assert "2026-08-21" in text and "2026-08-03" in text
    if case.change is NoticeKind.RESOLVED and kind is EndpointKind.FEISHU:
        assert built["card"]["header"]["template"] == "green"  # over: no warning colour
