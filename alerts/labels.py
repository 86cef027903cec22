"""The words of the messages in Chinese and English: levels, directions, kinds of change,
headings. Templates read them as ``t`` (``t.level[event.level]``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from alerts.model import Language, NoticeKind
from vocabulary import Direction, Level


@dataclass(frozen=True)
class Labels:
    level: dict[str, str]
    direction: dict[str, str]
    change: dict[str, str]
    words: dict[str, str]
    direction_short: dict[str, str]
    headline: dict[str, str]  # the change as a statement (alerts.statements)
    basis_words: dict[str, str]  # the rules' basis codes in words

    def __getattr__(self, name: str) -> str:  # t.since, t.reasons ... in templates
        try:
            return self.words[name]
        except KeyError:
            raise AttributeError(name) from None


_ZH: Final = Labels(
    direction_short={Direction.UP: "上行", Direction.DOWN: "下行", Direction.NONE: "—"},
    headline={
        NoticeKind.NEW: "新发{material}{level}预警（{direction}）。",
        NoticeKind.ESCALATED: "{material}预警由{previous}升至{level}（{direction}）。",
        NoticeKind.DE_ESCALATED: "{material}预警由{previous}降至{level}（{direction}）。",
        NoticeKind.DIRECTION_CHANGED: (
            "{material}{level}预警方向由{previous_direction}转为{direction}。"
        ),
        NoticeKind.RESOLVED: "{material}{level}预警（{direction}，自{since}起）解除。",
        NoticeKind.REPEAT: "{material}{level}预警（{direction}）自{since}起持续。",
    },
    basis_words={
        "confirmed": "指标确认",
        "pending": "待持续确认",
        "held": "保持（指标回落中）",
        "vetoed": "被否决",
        "capped": "受限（红色需更多指标）",
        "supply_only": "仅由供给侧指标",
        "no_data": "无最新数据",
        "adjusted": "分析员调整",
    },
    level={
        Level.RED: "红色",
        Level.YELLOW: "黄色",
        Level.BLUE: "蓝色",
        Level.NORMAL: "正常",
        Level.NO_DATA: "无数据",
    },
    direction={
        Direction.UP: "上行（偏紧或上涨）",
        Direction.DOWN: "下行（偏松或下跌）",
        Direction.NONE: "—",
    },
    change={
        NoticeKind.NEW: "新发预警",
        NoticeKind.ESCALATED: "预警升级",
        NoticeKind.DE_ESCALATED: "预警降级",
        NoticeKind.DIRECTION_CHANGED: "预警方向变化",
        NoticeKind.RESOLVED: "预警解除",
        NoticeKind.REPEAT: "预警持续",
    },
    words={
        "warning": "预警",
        "level_word": "级别",
        "direction_word": "方向",
        "basis": "依据",
        "since": "自",
        "since_label": "预警起始",
        "data_as_of": "数据截至",
        "issued": "发布",
        "decided": "决定时间",
        "meaning": "含义",
        "actions": "建议",
        "advisory": "以上建议仅供参考。",
        "adjusted_mark": "（经分析员调整）",
        "issuer": "发布单位",
        "contact": "联系方式",
        "footer_public": "本页面由原材料供需预警服务发布，仅显示此项预警；链接有效期有限。",
        "latest": "最新值",
        "reasons": "原因",
        "details": "查看详情",
        "previous": "原级别",
        "greeting": "{name}，您好：",
        "intro": "原材料供需预警服务向贵单位通报以下预警变化：",
        "footer": "本邮件由原材料供需预警服务自动发送，请勿直接回复。",
        "unsubscribe": "退订此类通知",
        "chart": "走势图",
        "updates": "项原材料预警更新",
        "test_tag": "【测试】",
        "test_note": (
            "这是一封测试邮件：审核中的预警变更若获批准，通知将如下所示。"
            "此邮件仅发给预警室的工作人员，不是预警，也未发给任何企业。"
        ),
        "sep": "、",
        "colon": "：",
    },
)

_EN: Final = Labels(
    direction_short={Direction.UP: "up", Direction.DOWN: "down", Direction.NONE: "-"},
    headline={
        NoticeKind.NEW: "New {level} warning ({direction}) for {material}.",
        NoticeKind.ESCALATED: (
            "{material}: warning raised from {previous} to {level} ({direction})."
        ),
        NoticeKind.DE_ESCALATED: (
            "{material}: warning lowered from {previous} to {level} ({direction})."
        ),
        NoticeKind.DIRECTION_CHANGED: (
            "{material}: {level} warning turned from {previous_direction} to {direction}."
        ),
        NoticeKind.RESOLVED: (
            "{material}: the {level} warning ({direction}, since {since}) has ended."
        ),
        NoticeKind.REPEAT: "{material}: {level} warning ({direction}) in force since {since}.",
    },
    basis_words={
        "confirmed": "confirmed by the indicators",
        "pending": "awaiting persistence",
        "held": "held while the indicators ease",
        "vetoed": "vetoed",
        "capped": "capped (red needs more indicators)",
        "supply_only": "supply indicators only",
        "no_data": "no recent data",
        "adjusted": "adjusted by the desk",
    },
    level={
        Level.RED: "Red",
        Level.YELLOW: "Yellow",
        Level.BLUE: "Blue",
        Level.NORMAL: "Normal",
        Level.NO_DATA: "No data",
    },
    direction={
        Direction.UP: "up (tightening or rising)",
        Direction.DOWN: "down (loosening or falling)",
        Direction.NONE: "-",
    },
    change={
        NoticeKind.NEW: "new warning",
        NoticeKind.ESCALATED: "warning raised",
        NoticeKind.DE_ESCALATED: "warning lowered",
        NoticeKind.DIRECTION_CHANGED: "warning direction changed",
        NoticeKind.RESOLVED: "warning ended",
        NoticeKind.REPEAT: "warning still in force",
    },
    words={
        "warning": "warning",
        "level_word": "Level",
        "direction_word": "Direction",
        "basis": "Basis",
        "since": "since",
        "since_label": "Warning since",
        "data_as_of": "Data as of",
        "issued": "Issued",
        "decided": "Decided",
        "meaning": "What it means",
        "actions": "You might",
        "advisory": "These suggestions are advisory.",
        "adjusted_mark": " (as adjusted by the desk)",
        "issuer": "Issued by",
        "contact": "Contact",
        "footer_public": (
            "Published by the raw-material supply-demand early-warning service; this page shows "
            "this warning only, and its link expires."
        ),
        "latest": "Latest",
        "reasons": "Reasons",
        "details": "Details",
        "previous": "previously",
        "greeting": "Dear {name},",
        "intro": "The raw-material supply-demand early-warning service reports these changes:",
        "footer": "Sent automatically by the raw-material supply-demand early-warning service.",
        "unsubscribe": "Unsubscribe from these notices",
        "chart": "Chart",
        "updates": "raw-material warning updates",
        "test_tag": "[TEST] ",
        "test_note": (
            "This is a test: the notice a change under review would send if it were approved. "
            "It went to a member of the desk only; it is not a warning and no enterprise "
            "received it."
        ),
        "sep": ", ",
        "colon": ": ",
    },
)

LABELS: Final[dict[Language, Labels]] = {Language.ZH: _ZH, Language.EN: _EN}

LEVEL_COLOURS: Final[dict[str, str]] = {
    Level.RED: "#c9302c",
    Level.YELLOW: "#e0a100",
    Level.BLUE: "#2f6fb5",
    Level.NORMAL: "#3c8d40",
    Level.NO_DATA: "#888888",
}


def format_value(value: float | None) -> str:
    """``68450.0`` -> ``68,450``; ``3.14159`` -> ``3.14``; None -> ``—``."""
    if value is None:
        return "—"
    text = f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_date(day: date | None) -> str:
    return day.isoformat() if day is not None else "—"
