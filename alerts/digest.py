"""The daily digest and the weekly and monthly bulletins: plain data in, words out.

The service collects a :class:`Digest` (the board, what changed over the period, the active
warnings with reasons and small charts); :func:`render_digest` gives the subject, a text part
complete on its own and HTML whose charts are ``cid:`` images, in Chinese or English;
:func:`digest_email` wraps it as a MIME message for one recipient and :func:`send_digest`
sends it. :mod:`alerts.bulletin` renders the same data as DOCX.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from enum import StrEnum
from typing import Any, Final

from alerts.channels.email import attach_inline_images
from alerts.labels import LABELS, LEVEL_COLOURS, Labels, format_date, format_value
from alerts.model import Chart, DeliveryResult, Language, NoticeKind, Recipient
from alerts.render import ENVIRONMENT, InlineImage, RenderedEmail
from alerts.smtp import MailSettings, send_email
from vocabulary import WARNING_LEVELS, Direction, Level, level_rank


class DigestKind(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


@dataclass(frozen=True)
class BoardRow:
    """One material on the board: its level now and at the start of the period."""

    material_id: str
    material_zh: str
    material_en: str
    level: Level
    direction: Direction
    latest_value: float | None
    latest_unit: str
    latest_date: date | None
    previous_level: Level | None = None

    def name(self, language: Language) -> str:
        return self.material_zh if language is Language.ZH else self.material_en


@dataclass(frozen=True)
class DigestChange:
    """A change of a warning during the period (since yesterday, for the daily digest)."""

    material_id: str
    material_zh: str
    material_en: str
    change: NoticeKind
    level: Level
    direction: Direction
    on: date
    previous_level: Level | None = None

    def name(self, language: Language) -> str:
        return self.material_zh if language is Language.ZH else self.material_en


@dataclass(frozen=True)
class ActiveWarning:
    """A warning still active at the end of the period, with its reasons and a small chart."""

    warning_id: str
    material_id: str
    material_zh: str
    material_en: str
    level: Level
    direction: Direction
    since: date
    reasons_zh: tuple[str, ...]
    reasons_en: tuple[str, ...]
    link: str
    chart: Chart | None = None

    def name(self, language: Language) -> str:
        return self.material_zh if language is Language.ZH else self.material_en

    def reasons(self, language: Language) -> tuple[str, ...]:
        return self.reasons_zh if language is Language.ZH else self.reasons_en


@dataclass(frozen=True)
class Digest:
    """Everything one digest or bulletin says, for ``period_start`` .. ``period_end``
    (inclusive; both the same day for a daily digest)."""

    kind: DigestKind
    period_start: date
    period_end: date
    generated_at: datetime
    board: tuple[BoardRow, ...]
    changes: tuple[DigestChange, ...]
    active: tuple[ActiveWarning, ...]
    link: str
    notes_zh: tuple[str, ...] = ()
    notes_en: tuple[str, ...] = ()

    def notes(self, language: Language) -> tuple[str, ...]:
        return self.notes_zh if language is Language.ZH else self.notes_en

    def counts(self) -> dict[Level, int]:
        """Materials on the board at each warning level (red, yellow, blue)."""
        found = Counter(row.level for row in self.board)
        return {level: found.get(level, 0) for level in reversed(WARNING_LEVELS)}


_KIND_NAMES: Final = {
    Language.ZH: {"daily": "日报", "weekly": "周报", "monthly": "月报"},
    Language.EN: {
        "daily": "daily digest",
        "weekly": "weekly bulletin",
        "monthly": "monthly bulletin",
    },
}
_MONTHS_EN: Final = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_TITLES: Final = {Language.ZH: "原材料供需预警", Language.EN: "Raw-material early warning"}
_WORDS: Final = {
    Language.ZH: {
        "board": "预警总览",
        "changes": "变化",
        "changes_daily": "较昨日的变化",
        "active": "当前有效预警",
        "no_changes": "无变化。",
        "no_active": "当前无有效预警。",
        "material": "原材料",
        "level": "级别",
        "direction": "方向",
        "latest": "最新值",
        "date": "日期",
        "change": "变化",
        "was": "原",
        "notes": "说明",
        "open_board": "在线查看预警总览",
        "period": "统计期",
        "to": "至",
        "generated": "生成时间",
        "summary": "概况",
    },
    Language.EN: {
        "board": "The board",
        "changes": "Changes in the period",
        "changes_daily": "Changes since yesterday",
        "active": "Active warnings",
        "no_changes": "No changes.",
        "no_active": "No active warnings.",
        "material": "Material",
        "level": "Level",
        "direction": "Direction",
        "latest": "Latest",
        "date": "Date",
        "change": "Change",
        "was": "was",
        "notes": "Notes",
        "open_board": "Open the board",
        "period": "Period",
        "to": "to",
        "generated": "Generated",
        "summary": "Summary",
    },
}


def digest_words(language: Language) -> dict[str, str]:
    return _WORDS[language]


def period_text(digest: Digest, language: Language) -> str:
    """``2026-03-03``, ``2026-02-23 至 2026-03-01``, ``2026年2月`` / ``February 2026``."""
    if digest.kind is DigestKind.DAILY:
        return digest.period_end.isoformat()
    if digest.kind is DigestKind.MONTHLY:
        start = digest.period_start
        return (
            f"{start.year}年{start.month}月" if language is Language.ZH else start.strftime("%B %Y")
        )
    to = _WORDS[language]["to"]
    return f"{digest.period_start.isoformat()} {to} {digest.period_end.isoformat()}"


def counts_text(digest: Digest, labels: Labels) -> str:
    """``红色 2 · 黄色 3 · 蓝色 1``."""
    return " · ".join(f"{labels.level[lv]} {n}" for lv, n in digest.counts().items())


def digest_title(digest: Digest, language: Language) -> str:
    kind = _KIND_NAMES[language][digest.kind]
    if language is Language.ZH:
        return f"{_TITLES[language]}{kind}（{period_text(digest, language)}）"
    return f"{_TITLES[language]} {kind} ({period_text(digest, language)})"


def digest_subject(digest: Digest, language: Language) -> str:
    labels = LABELS[language]
    separator = "：" if language is Language.ZH else ": "
    return f"{digest_title(digest, language)}{separator}{counts_text(digest, labels)}"


def _board_views(digest: Digest, labels: Labels, language: Language) -> list[dict[str, Any]]:
    rows = sorted(digest.board, key=lambda r: (-level_rank(r.level), r.material_id))
    return [
        {
            "name": row.name(language),
            "level": labels.level[row.level],
            "colour": LEVEL_COLOURS[row.level],
            "direction": labels.direction[row.direction],
            "latest": format_value(row.latest_value),
            "unit": row.latest_unit,
            "date": format_date(row.latest_date),
            "was": labels.level[row.previous_level]
            if row.previous_level and row.previous_level != row.level
            else None,
        }
        for row in rows
    ]


def _change_views(digest: Digest, labels: Labels, language: Language) -> list[dict[str, Any]]:
    return [
        {
            "name": c.name(language),
            "change": labels.change[c.change],
            "level": labels.level[c.level],
            "colour": LEVEL_COLOURS[c.level],
            "was": labels.level[c.previous_level] if c.previous_level else None,
            "on": format_date(c.on),
        }
        for c in sorted(digest.changes, key=lambda c: (c.on, c.material_id))
    ]


def _active_views(
    digest: Digest, labels: Labels, language: Language, cid_domain: str
) -> tuple[list[dict[str, Any]], list[InlineImage]]:
    images: list[InlineImage] = []
    views = []
    for index, warning in enumerate(sorted(digest.active, key=lambda w: -level_rank(w.level))):
        view: dict[str, Any] = {
            "name": warning.name(language),
            "level": labels.level[warning.level],
            "colour": LEVEL_COLOURS[warning.level],
            "direction": labels.direction[warning.direction],
            "since": format_date(warning.since),
            "reasons": warning.reasons(language),
            "link": warning.link,
            "cid": None,
            "alt": "",
        }
        if warning.chart is not None:
            token = re.sub(r"[^A-Za-z0-9.-]", "-", warning.warning_id)
            cid = f"digest-{index}-{token}@{cid_domain}"
            alt = warning.chart.alt or f"{view['name']} {labels.chart}"
            images.append(InlineImage(cid, warning.chart.png, f"{warning.material_id}.png", alt))
            view.update(cid=cid, alt=alt)
        views.append(view)
    return views, images


def render_digest(digest: Digest, language: Language, *, cid_domain: str) -> RenderedEmail:
    """Subject, text and HTML of ``digest`` in ``language``; charts as ``cid:`` images."""
    labels = LABELS[language]
    active, images = _active_views(digest, labels, language, cid_domain)
    context = {
        "t": labels,
        "w": _WORDS[language],
        "lang": language.value,
        "title": digest_title(digest, language),
        "daily": digest.kind is DigestKind.DAILY,
        "counts": counts_text(digest, labels),
        "generated": digest.generated_at.strftime("%Y-%m-%d %H:%M %Z").strip(),
        "board": _board_views(digest, labels, language),
        "changes": _change_views(digest, labels, language),
        "active": active,
        "notes": digest.notes(language),
        "link": digest.link,
    }
    return RenderedEmail(
        subject=digest_subject(digest, language),
        text=ENVIRONMENT.get_template("digest.txt").render(context),
        html=ENVIRONMENT.get_template("digest.html").render(context),
        images=tuple(images),
    )


def digest_message_id(digest: Digest, recipient: Recipient, domain: str) -> str:
    """Stable for (kind, period, recipient): a digest sent twice keeps its Message-ID."""
    who = hashlib.sha256(recipient.email.strip().lower().encode()).hexdigest()[:12]
    return f"<digest-{digest.kind}-{digest.period_end.isoformat()}.{who}@{domain}>"


def digest_email(
    digest: Digest, recipient: Recipient, *, settings: MailSettings, now: datetime
) -> EmailMessage:
    """The MIME message of ``digest`` for one recipient, in the recipient's language."""
    rendered = render_digest(digest, recipient.language, cid_domain=settings.domain)
    email = EmailMessage()
    email["Subject"] = rendered.subject
    email["From"] = settings.sender
    email["To"] = Address(display_name=recipient.contact_name, addr_spec=recipient.email)
    email["Date"] = format_datetime(now)
    email["Message-ID"] = digest_message_id(digest, recipient, settings.domain)
    if recipient.unsubscribe_url and recipient.unsubscribe_url.startswith("https://"):
        email["List-Unsubscribe"] = f"<{recipient.unsubscribe_url}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(rendered.text, subtype="plain", charset="utf-8", cte="base64")
    email.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="base64")
    attach_inline_images(email, rendered.images)
    return email


async def send_digest(
    digest: Digest, recipient: Recipient, *, settings: MailSettings, now: datetime
) -> DeliveryResult:
    """Build and send the digest to one recipient; the result as for any email."""
    email = digest_email(digest, recipient, settings=settings, now=now)
    return await send_email(
        email, recipient=recipient.email, settings=settings, delivery_id=str(email["Message-ID"])
    )
