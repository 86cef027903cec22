"""A reminder to an enterprise's contact that a reporting form is due (or overdue), in the
contact's language: its words are here, in Chinese and English."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from enum import StrEnum
from typing import Any, Final

from alerts.model import Language
from alerts.smtp import MailSettings


class ReminderStage(StrEnum):
    DUE_SOON = "due_soon"  # in the days before the due day
    OVERDUE = "overdue"  # after the due day


@dataclass(frozen=True)
class ReportReminder:
    """What a reminder says: which form, period and due day, for which enterprise, and
    where to report."""

    stage: ReminderStage
    form_zh: str
    form_en: str
    period: str
    due: date
    enterprise: str
    contact: str
    link: str


WORDS: Final[dict[Language, dict[str, str]]] = {
    Language.ZH: {
        ReminderStage.DUE_SOON: "【数据报送提醒】{form}（{period}）请于{due}前报送",
        ReminderStage.OVERDUE: "【数据报送逾期】{form}（{period}）已过报送期限{due}",
        "greeting": "{contact}，您好：",
        "body_due_soon": "贵单位（{enterprise}）的{form}（报告期 {period}）应于{due}前报送，"
        "目前尚未收到。",
        "body_overdue": "贵单位（{enterprise}）的{form}（报告期 {period}）报送期限为{due}，"
        "目前尚未收到，请尽快报送。",
        "how": "报送方式：网页填报、下载 XLSX 模板填写后上传，或通过接口提交：{link}",
        "closing": "本邮件由系统自动发送，每个报告期每个阶段仅提醒一次。",
    },
    Language.EN: {
        ReminderStage.DUE_SOON: "[Reporting reminder] {form} ({period}) is due by {due}",
        ReminderStage.OVERDUE: "[Reporting overdue] {form} ({period}) was due on {due}",
        "greeting": "Dear {contact},",
        "body_due_soon": "The {form} of {enterprise} for {period} is due by {due}; we have not "
        "received it yet.",
        "body_overdue": "The {form} of {enterprise} for {period} was due on {due}; we have not "
        "received it yet. Please report it as soon as you can.",
        "how": "Report on the web form, with the XLSX template, or through the API: {link}",
        "closing": "This message is sent automatically, once per period and stage.",
    },
}


def reminder_email(
    reminder: ReportReminder,
    *,
    language: Language,
    address: str,
    settings: MailSettings,
    now: datetime,
) -> EmailMessage:
    """The reminder as an email to ``address`` in ``language``."""
    words = WORDS[language]
    values = {
        "form": reminder.form_zh if language == Language.ZH else reminder.form_en,
        "period": reminder.period,
        "due": reminder.due.isoformat(),
        "enterprise": reminder.enterprise,
        "contact": reminder.contact,
        "link": reminder.link,
    }
    email = EmailMessage()
    email["Subject"] = words[reminder.stage].format(**values)
    email["From"] = settings.sender
    email["To"] = Address(display_name=reminder.contact, addr_spec=address)
    email["Date"] = format_datetime(now)
    email["Message-ID"] = make_msgid(domain=settings.domain)
    email["Auto-Submitted"] = "auto-generated"
    body = [
        words["greeting"].format(**values),
        "",
        words[f"body_{reminder.stage}"].format(**values),
        words["how"].format(**values),
        "",
        words["closing"],
    ]
    email.set_content("\n".join(body) + "\n", subtype="plain", charset="utf-8", cte="base64")
    return email


def reminder_payload(reminder: ReportReminder) -> str:
    """A reminder as JSON (what a delivery carries; the words are chosen when it is sent,
    in the contact's language)."""
    return json.dumps(
        {
            "stage": str(reminder.stage),
            "form_zh": reminder.form_zh,
            "form_en": reminder.form_en,
            "period": reminder.period,
            "due": reminder.due.isoformat(),
            "enterprise": reminder.enterprise,
            "contact": reminder.contact,
            "link": reminder.link,
        },
        ensure_ascii=False,
    )


def reminder_of(payload: dict[str, Any]) -> ReportReminder:
    """The reminder a payload of :func:`reminder_payload` holds."""
    return ReportReminder(
        stage=ReminderStage(payload["stage"]),
        form_zh=str(payload["form_zh"]),
        form_en=str(payload["form_en"]),
        period=str(payload["period"]),
        due=date.fromisoformat(payload["due"]),
        enterprise=str(payload["enterprise"]),
        contact=str(payload["contact"]),
        link=str(payload["link"]),
    )
