"""The daily digest and the weekly and monthly bulletins: plain data in, words out.

The service collects a :class:`Digest`: the board (each material's warning in force, as the
analysts reviewed it), what changed over the period (the approved warning events), the
warnings in force with their reasons, what they mean, suggested actions and small charts, and
the issuing office. The indicators' own levels (unreviewed) travel with it, shown only in the
desk's copy (``desk_copy=True``) under their own label. :func:`render_digest` gives the
subject, a text part complete on its own and HTML whose charts are ``cid:`` images, in
Chinese or English; :func:`digest_email` wraps it as a MIME message for one recipient and
:func:`send_digest` sends it. :mod:`alerts.bulletin` renders the same data as DOCX.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from enum import StrEnum
from typing import Any, Final

from alerts.channels.email import attach_inline_images
from alerts.labels import LABELS, LEVEL_COLOURS, Labels, format_date, format_value
from alerts.model import Chart, DeliveryResult, Issuer, Language, NoticeKind, Recipient
from alerts.render import ENVIRONMENT, InlineImage, RenderedEmail
from alerts.smtp import MailSettings, send_email
from vocabulary import WARNING_LEVELS, Direction, Level, level_rank


class DigestKind(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


@dataclass(frozen=True)
class BoardRow:
    """One material on the board: the warning in force now (``normal`` without one) and at
    the start of the period, as reviewed; its latest data."""

    material_id: str
    material_zh: str
    material_en: str
    level: Level
    direction: Direction
    latest_value: float | None
    latest_unit: str
    latest_date: date | None
    previous_level: Level | None = None
    since: date | None = None  # the warning in force stands since
    sector_zh: str = ""  # the material's sector, by name (the overview by sector)
    sector_en: str = ""

    def name(self, language: Language) -> str:
        return self.material_zh if language is Language.ZH else self.material_en

    def sector(self, language: Language) -> str:
        return self.sector_zh if language is Language.ZH else self.sector_en


@dataclass(frozen=True)
class IndicatorLevel:
    """What the indicators alone say of a material (the newest assessment): not reviewed,
    for the desk's copy only."""

    material_id: str
    material_zh: str
    material_en: str
    level: Level
    direction: Direction
    as_of: date | None

    def name(self, language: Language) -> str:
        return self.material_zh if language is Language.ZH else self.material_en


@dataclass(frozen=True)
class LevelLine:
    """A threshold drawn on a chart: where ``level`` in ``direction`` begins, in the chart's
    unit."""

    level: Level
    direction: Direction
    value: float


@dataclass(frozen=True)
class ChartInfo:
    """What a chart shows, for its title: the series' unit and dates, and its level lines:
    the prices at which the change from ``base_value`` (on ``base_date``) over the rule's
    horizon (``horizon_rows`` observations or ``horizon_days`` days) reaches a threshold."""

    unit: str
    first: date
    last: date
    lines: tuple[LevelLine, ...] = ()
    base_value: float | None = None
    base_date: date | None = None
    horizon_rows: int = 0
    horizon_days: int = 0
    daily: bool = False  # rows are trading days


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
    meaning_zh: str = ""
    meaning_en: str = ""
    actions_zh: tuple[str, ...] = ()
    actions_en: tuple[str, ...] = ()
    chart_info: ChartInfo | None = None

    def name(self, language: Language) -> str:
        return self.material_zh if language is Language.ZH else self.material_en

    def reasons(self, language: Language) -> tuple[str, ...]:
        return self.reasons_zh if language is Language.ZH else self.reasons_en

    def meaning(self, language: Language) -> str:
        return self.meaning_zh if language is Language.ZH else self.meaning_en

    def actions(self, language: Language) -> tuple[str, ...]:
        return self.actions_zh if language is Language.ZH else self.actions_en


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
    issuer: Issuer | None = None
    document_number: str = ""
    data_as_of: date | None = None  # the newest data the board shows
    indicator_levels: tuple[IndicatorLevel, ...] = ()  # unreviewed: the desk's copy only

    def notes(self, language: Language) -> tuple[str, ...]:
        return self.notes_zh if language is Language.ZH else self.notes_en

    @property
    def issued_on(self) -> date:
        return self.generated_at.date()

    def counts(self) -> dict[Level, int]:
        """Materials with a warning in force at each level (red, yellow, blue)."""
        return _level_counts(self.board)

    def by_sector(self, language: Language) -> tuple[tuple[str, dict[Level, int]], ...]:
        """Each sector (by name, in the board's order) with its warnings in force by level;
        nothing when the board names no sectors."""
        groups: dict[str, list[BoardRow]] = {}
        for row in self.board:
            if row.sector(language):
                groups.setdefault(row.sector(language), []).append(row)
        return tuple((sector, _level_counts(rows)) for sector, rows in groups.items())


def _level_counts(rows: Iterable[BoardRow]) -> dict[Level, int]:
    found = Counter(row.level for row in rows)
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
        "in_force_counts": "当前有效预警",
        "by_sector": "分行业",
        "board_level": "预警级别（经审核）",
        "since_column": "预警起始",
        "ended_was": "（原{level}预警）",
        "data_as_of": "数据截至",
        "issued": "发布",
        "since": "自",
        "since_after": "起",
        "indicator_levels": "指标水平（未经审核）",
        "indicator_note": (
            "以下为模型指标给出的级别，未经分析人员审核，仅供内部参考，不是已发布的预警。"
        ),
        "as_of": "评估日",
        "meaning": "含义",
        "actions": "建议（仅供参考）",
        "reasons": "主要依据",
        "issuer": "发布单位",
        "contact": "联系方式",
        "doc_number": "文号",
        "sources": "数据来源与方法",
        "sources_text": (
            "价格和供需数据来自期货交易所、国家统计局、世界银行等公开来源，以各品种数据说明为准。"
            "预警级别由监测指标提出，经分析人员审核后发布。"
            "本简报的建议仅供参考，不构成投资或经营决策依据。"
        ),
        "figure": "图{n}",
        "chart_title": "{name}价格走势（{first}至{last}，单位：{unit}）",
        "chart_lines": (
            "虚线为预警线：以{base_date}的{base}为基准，{horizon}涨跌幅达到各级阈值时的价格"
            "（{lines}）。"
        ),
        "horizon_rows": "{n}期",
        "horizon_trading_days": "{n}个交易日",
        "horizon_days": "{n}天",
        "overview": "总体情况",
        "materials": "分品种预警",
        "period_changes": "本期变化",
        "none_in_force": "无",
        "head_office": "{name}",
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
        "in_force_counts": "Warnings in force",
        "by_sector": "By sector",
        "board_level": "Level (reviewed)",
        "since_column": "Since",
        "ended_was": " (was a {level} warning)",
        "data_as_of": "Data as of",
        "issued": "Issued",
        "since": "since",
        "since_after": "",
        "indicator_levels": "Indicator levels (unreviewed)",
        "indicator_note": (
            "Levels the indicators give, not reviewed by the analysts: for the desk's own use, "
            "not warnings issued."
        ),
        "as_of": "Assessed",
        "meaning": "What it means",
        "actions": "Suggested actions (advisory)",
        "reasons": "Main reasons",
        "issuer": "Issued by",
        "contact": "Contact",
        "doc_number": "Document No.",
        "sources": "Sources and method",
        "sources_text": (
            "Prices and supply-demand data come from the futures exchanges, the National Bureau "
            "of Statistics, the World Bank and other public sources, as each material's data "
            "notes describe. Warning levels are proposed by the indicators and issued after "
            "the analysts' review. The suggestions in this bulletin are advisory, not a basis "
            "for investment or business decisions."
        ),
        "figure": "Figure {n}.",
        "chart_title": "{name}: price, {first} to {last} ({unit})",
        "chart_lines": (
            "Dashed lines: the prices at which the {horizon} change from {base} on {base_date} "
            "reaches each level's threshold ({lines})."
        ),
        "horizon_rows": "{n}-period",
        "horizon_trading_days": "{n}-trading-day",
        "horizon_days": "{n}-day",
        "overview": "Overview",
        "materials": "Warnings by material",
        "period_changes": "Changes in the period",
        "none_in_force": "none",
        "head_office": "{name}",
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


def long_date(day: date, language: Language) -> str:
    """A date written out: ``2026年12月7日`` / ``7 December 2026``."""
    if language is Language.ZH:
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


def since_text(day: date | None, language: Language) -> str:
    """``自 2026-02-01 起`` / ``since 2026-02-01``; empty without a date."""
    if day is None:
        return ""
    words = _WORDS[language]
    parts = (words["since"], format_date(day), words["since_after"])
    return " ".join(part for part in parts if part)


def dates_text(digest: Digest, language: Language) -> str:
    """Every date of the header, labelled: ``统计期：… · 数据截至：… · 发布：…``."""
    words, colon = _WORDS[language], LABELS[language].colon
    parts = [f"{words['period']}{colon}{period_text(digest, language)}"]
    if digest.data_as_of is not None:
        parts.append(f"{words['data_as_of']}{colon}{format_date(digest.data_as_of)}")
    parts.append(f"{words['issued']}{colon}{format_date(digest.issued_on)}")
    return " · ".join(parts)


def chart_title(warning: ActiveWarning, language: Language) -> str:
    """The chart's title: the material, the dates and the unit, in ``language``."""
    info = warning.chart_info
    if info is None:
        return ""
    return _WORDS[language]["chart_title"].format(
        name=warning.name(language),
        first=format_date(info.first),
        last=format_date(info.last),
        unit=info.unit,
    )


def chart_note(warning: ActiveWarning, language: Language) -> str:
    """What the chart's level lines are, in ``language``; empty without lines."""
    info = warning.chart_info
    if info is None or not info.lines or info.base_value is None or info.base_date is None:
        return ""
    words, labels = _WORDS[language], LABELS[language]
    lines = labels.sep.join(
        f"{labels.level[line.level]} {'≥' if line.direction is Direction.UP else '≤'} "
        f"{format_value(line.value)}"
        for line in info.lines
    )
    if info.horizon_rows:
        key = "horizon_trading_days" if info.daily else "horizon_rows"
        horizon = words[key].format(n=info.horizon_rows)
    else:
        horizon = words["horizon_days"].format(n=info.horizon_days)
    return words["chart_lines"].format(
        base_date=format_date(info.base_date),
        base=format_value(info.base_value),
        horizon=horizon,
        lines=lines,
    )


def chart_caption(warning: ActiveWarning, language: Language) -> str:
    """The chart's title and what its level lines are, in one line (for email)."""
    title, note = chart_title(warning, language), chart_note(warning, language)
    separator = "；" if language is Language.ZH else ". "
    return f"{title}{separator}{note}" if title and note else title


def change_text(change: DigestChange, language: Language) -> str:
    """``预警升级, 红色 (原 黄色)``; an end names the warning it ended, with no level of its
    own: ``预警解除（原红色预警）`` / ``resolved (was a Red warning)``."""
    labels, words = LABELS[language], _WORDS[language]
    kind, level = labels.change[change.change], labels.level[change.level]
    if change.change is NoticeKind.RESOLVED:
        return kind + words["ended_was"].format(level=level)
    was = (
        f" ({words['was']} {labels.level[change.previous_level]})" if change.previous_level else ""
    )
    return f"{kind}, {level}{was}"


def counts_text(digest: Digest, labels: Labels) -> str:
    """``红色 2 · 黄色 3 · 蓝色 1``."""
    return _counts_words(digest.counts(), labels)


def _counts_words(counts: dict[Level, int], labels: Labels) -> str:
    return " · ".join(f"{labels.level[lv]} {n}" for lv, n in counts.items())


def sector_lines(digest: Digest, language: Language) -> tuple[str, ...]:
    """The warnings in force by sector: ``黑色金属：红色 1 · 黄色 1`` or ``化肥：无``, one
    line per sector (the overview of a bulletin)."""
    labels, words = LABELS[language], _WORDS[language]
    lines = []
    for sector, counts in digest.by_sector(language):
        shown = {level: n for level, n in counts.items() if n}
        text = _counts_words(shown, labels) if shown else words["none_in_force"]
        lines.append(f"{sector}{labels.colon}{text}")
    return tuple(lines)


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
            "unit": row.latest_unit if row.latest_value is not None else "",
            "date": format_date(row.latest_date),
            "was": labels.level[row.previous_level]
            if row.previous_level and row.previous_level != row.level
            else None,
            "since": since_text(row.since, language),
        }
        for row in rows
    ]


def _indicator_views(digest: Digest, labels: Labels, language: Language) -> list[dict[str, Any]]:
    rows = sorted(digest.indicator_levels, key=lambda r: (-level_rank(r.level), r.material_id))
    return [
        {
            "name": row.name(language),
            "level": labels.level[row.level],
            "colour": LEVEL_COLOURS[row.level],
            "direction": labels.direction[row.direction],
            "as_of": format_date(row.as_of),
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
            "text": change_text(c, language),
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
            "since": since_text(warning.since, language),
            "reasons": warning.reasons(language),
            "meaning": warning.meaning(language),
            "actions": warning.actions(language),
            "caption": chart_caption(warning, language),
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


def render_digest(
    digest: Digest, language: Language, *, cid_domain: str, desk_copy: bool = False
) -> RenderedEmail:
    """Subject, text and HTML of ``digest`` in ``language``; charts as ``cid:`` images. The
    desk's copy (``desk_copy``) adds the indicators' own levels, labelled as unreviewed."""
    labels = LABELS[language]
    active, images = _active_views(digest, labels, language, cid_domain)
    context = {
        "t": labels,
        "w": _WORDS[language],
        "lang": language.value,
        "title": digest_title(digest, language),
        "daily": digest.kind is DigestKind.DAILY,
        "counts": counts_text(digest, labels),
        "sectors": sector_lines(digest, language),
        "generated": digest.generated_at.strftime("%Y-%m-%d %H:%M %Z").strip(),
        "dates": dates_text(digest, language),
        "issuer": digest.issuer.name(language) if digest.issuer else "",
        "contact": digest.issuer.contact if digest.issuer else "",
        "document_number": digest.document_number,
        "indicators": _indicator_views(digest, labels, language) if desk_copy else [],
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
    digest: Digest,
    recipient: Recipient,
    *,
    settings: MailSettings,
    now: datetime,
    desk_copy: bool = False,
) -> EmailMessage:
    """The MIME message of ``digest`` for one recipient, in the recipient's language
    (``desk_copy``: the desk's own, with the indicators' levels labelled unreviewed)."""
    rendered = render_digest(
        digest, recipient.language, cid_domain=settings.domain, desk_copy=desk_copy
    )
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
