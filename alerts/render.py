"""Messages into words: email (text + HTML), IM markdown for the robots, subjects.

Jinja2 templates live in ``alerts/templates/`` (package data). Templates ending in ``.html``
are autoescaped; text and markdown templates are not, and IM text goes through the ``im``
filter, which turns markup characters into full-width lookalikes so that reason text can never
inject a link, a mention (``<at id=all>``) or a font tag into a robot message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from alerts.labels import LABELS, LEVEL_COLOURS, Labels, format_date, format_value
from alerts.model import Language, Message, NoticeKind, WarningEvent, most_severe
from vocabulary import Level, level_rank

_IM_MARKUP: Final = str.maketrans(
    {
        "<": "＜",
        ">": "＞",
        "[": "［",
        "]": "］",
        "*": "＊",
        "`": "｀",
        "#": "＃",
        "|": "｜",
        "_": "＿",
        "~": "～",
        "\r": " ",
        "\n": " ",
    }
)


def im_text(value: object) -> str:
    """Plain text safe inside robot markdown: markup characters become full-width."""
    return str(value).translate(_IM_MARKUP)


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("alerts", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["im"] = im_text
    env.filters["value"] = format_value
    env.filters["day"] = format_date
    return env


ENVIRONMENT: Final = _environment()
SHANGHAI: Final = ZoneInfo("Asia/Shanghai")  # the desk's calendar: dates are its days


@dataclass(frozen=True)
class InlineImage:
    """An image the HTML shows as ``cid:<cid>``; sent as a related MIME part."""

    cid: str
    png: bytes
    filename: str
    alt: str


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str
    images: tuple[InlineImage, ...]


def event_view(event: WarningEvent, labels: Labels, language: Language) -> dict[str, Any]:
    """What templates show of one event, already in the message's language. Every date is
    labelled by what it is (data as of, since, decided)."""
    previous = labels.level[event.previous_level] if event.previous_level else None
    basis = labels.basis_words.get(event.basis, event.basis) if event.basis else "—"
    if event.adjusted:
        basis = f"{basis}{labels.sep}{labels.basis_words['adjusted']}"
    decided = event.decided_at.astimezone(SHANGHAI).date() if event.decided_at else None
    return {
        "event": event,
        "material": event.material_name(language),
        "level": labels.level[event.level],
        "previous_level": previous,
        "colour": LEVEL_COLOURS[Level.NORMAL if _ended(event) else event.level],
        "direction": labels.direction[event.direction],
        "change": labels.change[event.change],
        "resolved": _ended(event),
        "reasons": event.reasons(language),
        "latest": format_value(event.latest_value),
        "has_value": event.latest_value is not None,  # none when messages carry no prices
        "unit": event.latest_unit,
        "series": event.series_name(language),
        "latest_date": format_date(event.latest_date),
        "since": format_date(event.since),
        "data_as_of": format_date(event.data_as_of or event.latest_date),
        "decided": format_date(decided),
        "basis": basis,
        "meaning": event.meaning(language),
        "actions": event.actions(language),
        "link": event.link,
        "cid": None,
    }


def _ended(event: WarningEvent) -> bool:
    return event.change is NoticeKind.RESOLVED


def subject(message: Message) -> str:
    """``【红色预警】铜：新发预警`` / ``[Red warning] Copper: new warning``: the level tag of the
    warnings in force, then the change. An end of warning has no level tag of its own
    (``铜：预警解除``). Several events are counted and named."""
    language = message.language
    t = LABELS[language]
    level = most_severe(message.events)
    tag = ""
    if level_rank(level) > level_rank(Level.NORMAL):
        name = t.level[level]
        tag = f"【{name}{t.warning}】" if language is Language.ZH else f"[{name} {t.warning}] "
    test = t.test_tag if message.test else ""
    if len(message.events) == 1:
        event = message.events[0]
        return f"{test}{tag}{event.material_name(language)}{t.colon}{t.change[event.change]}"
    names = t.sep.join(dict.fromkeys(e.material_name(language) for e in message.events))
    space = "" if language is Language.ZH else " "
    return f"{test}{tag}{len(message.events)}{space}{t.updates}{t.colon}{names}"


def _cid_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]", "-", text)


def render_email(message: Message, *, cid_domain: str) -> RenderedEmail:
    """Subject, a text part complete on its own, and HTML whose charts are ``cid:`` images."""
    language = message.language
    t = LABELS[language]
    views = [event_view(e, t, language) for e in message.events]
    images: list[InlineImage] = []
    for index, view in enumerate(views):
        event: WarningEvent = view["event"]
        if event.chart is None:
            continue
        cid = f"chart-{index}-{_cid_part(event.event_id)}@{cid_domain}"
        view["cid"] = cid
        alt = event.chart.alt or f"{view['material']} {t.chart}"
        images.append(InlineImage(cid, event.chart.png, f"{event.material_id}.png", alt))
        view["chart_alt"] = alt
    title = subject(message)
    context = {
        "t": t,
        "events": views,
        "recipient": message.recipient,
        "lang": language.value,
        "subject": title,
        "issuer": message.issuer,
        "test": message.test,
    }
    return RenderedEmail(
        subject=title,
        text=ENVIRONMENT.get_template("email.txt").render(context),
        html=ENVIRONMENT.get_template("email.html").render(context),
        images=tuple(images),
    )


def render_im(message: Message, template: str) -> str:
    """Robot markdown from ``template`` (``dingtalk.md``, ``wecom.md``, ``feishu.md``)."""
    language = message.language
    t = LABELS[language]
    views = [event_view(e, t, language) for e in message.events]
    context = {
        "t": t,
        "events": views,
        "subject": subject(message),
        "lang": language.value,
        "issuer": message.issuer,
        "language": language,
    }
    return ENVIRONMENT.get_template(template).render(context).strip()


def render_public_page(event: WarningEvent, language: Language, *, chart_src: str) -> str:
    """The warning's public page (HTML): the event as decided, its chart (``chart_src``: a
    data URI or empty) and its reasons and advice, in ``language``."""
    t = LABELS[language]
    view = event_view(event, t, language)
    space = "" if language is Language.ZH else " "
    title = f"{view['material']}{t.colon}{t.level[event.level]}{space}{t.warning}"
    if view["resolved"]:
        title = f"{view['material']}{t.colon}{t.change[event.change]}"
    context = {"t": t, "e": view, "lang": language.value, "title": title, "chart": chart_src}
    return ENVIRONMENT.get_template("public_warning.html").render(context)
