"""The small pieces every page repeats: a level badge with its direction arrow, a name or a
reason in the page's language, a change in percent.

Python functions rather than template macros: the queue shows two badges a row, fifty rows a
page, and a Jinja macro call costs tens of times a cached string. Each is bound to a language
(:class:`Badges`); the badges themselves are memoised (a handful of levels and directions).
"""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup, escape

from warning.web.i18n import DIRECTION_NAMES, LEVEL_NAMES, Formats

ARROWS = {"up": "↑", "down": "↓"}


class Badges:
    """The pieces in one language."""

    def __init__(self, formats: Formats) -> None:
        self.formats = formats
        self.level = lru_cache(maxsize=128)(self._level)

    def _level(self, value: str | None, direction: str | None = "") -> Markup:
        """``<span class="level level-red">红色↑</span>``; no level reads as no data."""
        level = str(value or "no_data")
        name = self.formats.label(LEVEL_NAMES, level)
        arrow = ""
        if direction in ARROWS:
            title = self.formats.label(DIRECTION_NAMES, str(direction))
            arrow = (
                f'<span class="arrow {direction}" title="{escape(title)}">'
                f"{ARROWS[str(direction)]}</span>"
            )
        return Markup(f'<span class="level level-{escape(level)}">{escape(name)}{arrow}</span>')

    def name(self, zh: str | None, en: str | None) -> str:
        """The Chinese or the English of a name, as the page's language says."""
        return (zh if self.formats.language == "zh" else en) or ""

    def change(self, pct: float | None) -> Markup:
        """A change in percent, coloured by its sign."""
        if pct is None:
            return Markup('<span class="change">–</span>')
        trend = "up" if pct > 0 else "down" if pct < 0 else ""
        return Markup(f'<span class="change {trend}">{escape(self.formats.percent(pct))}</span>')
