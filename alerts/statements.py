"""The first statement of every notice: the change itself, in the reader's language.

Made from the event alone, so the title, the level words and the first reason of a message
always say the same thing. The rules' own statements (why the level stands) follow it.

- new: 「新发甲醇黄色预警（下行）。」 / "New yellow warning (down) for Methanol."
- escalated / de-escalated: 「甲醇预警由蓝色升至黄色（下行）。」
- direction changed: 「甲醇黄色预警方向由上行转为下行。」
- resolved: 「甲醇黄色预警（下行，自2026-08-03起）解除。」 (which warning ended, since when)
- repeat: 「甲醇红色预警（上行）自2026-08-03起持续。」
"""

from __future__ import annotations

from alerts.labels import LABELS
from alerts.model import Language, NoticeKind, WarningEvent
from vocabulary import Level


def headline(event: WarningEvent, language: Language) -> str:
    """The statement of ``event``'s change, naming its level, in ``language``."""
    t = LABELS[language]
    zh = language is Language.ZH
    words = {
        "material": event.material_name(language),
        "level": t.level[event.level] if zh else t.level[event.level].lower(),
        "direction": t.direction_short[event.direction],
        "previous": _previous_level(event, language),
        "previous_direction": t.direction_short[event.previous_direction or event.direction],
        "since": event.since.isoformat(),
    }
    text = t.headline[event.change].format(**words)
    if event.adjusted:
        text = text[:-1] + t.adjusted_mark + text[-1]
    return text


def _previous_level(event: WarningEvent, language: Language) -> str:
    t = LABELS[language]
    previous = event.previous_level or Level.NORMAL
    name = t.level[previous]
    return name if language is Language.ZH else name.lower()


def all_kinds_worded() -> bool:
    """Every kind of change has a headline in both languages (checked by the tests)."""
    return all(kind in LABELS[lang].headline for kind in NoticeKind for lang in Language)
