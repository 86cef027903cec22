"""What a text field may hold: no control characters, and no line break in a one-line field.

Every text that comes in through a front door (the API's bodies and query strings, the web
forms, the command line's arguments) is checked here before anything reads or stores it:
a NUL byte cannot be stored on PostgreSQL and is stored as given on SQLite, and a line break
in a name or label breaks every line-oriented place it is shown or sent later.

- Never: C0 and C1 control characters (NUL, ESC, DEL, U+0085 ...) and lone surrogates.
- In a one-line field, also never a line or paragraph separator (U+2028, U+2029), nor a line
  break or tab.
- A multi-line field (a comment, a reason, a warning's text) may hold ``\\n``, ``\\r`` and
  ``\\t``.

This module loads nothing else, so the command line checks its arguments without loading the
web app.
"""

from __future__ import annotations

import unicodedata
from typing import Final

MULTILINE_ALLOWED: Final = frozenset("\n\r\t")
_REFUSED_CATEGORIES: Final = frozenset({"Cc", "Cs"})  # control characters, lone surrogates
_ONE_LINE_CATEGORIES: Final = frozenset({"Zl", "Zp"})  # U+2028, U+2029


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why ``value`` may not be taken as a text field (None when it may): the first character
    refused, by code point and position (1-based)."""
    for position, character in enumerate(value, start=1):
        category = unicodedata.category(character)
        if multiline and character in MULTILINE_ALLOWED:
            continue
        if category in _REFUSED_CATEGORIES or category in _ONE_LINE_CATEGORIES:
            kind = "a line break" if _is_line_break(character, category) else "a control character"
            return f"contains {kind} (U+{ord(character):04X}) at character {position}"
    return None


def _is_line_break(character: str, category: str) -> bool:
    return category in _ONE_LINE_CATEGORIES or character in "\n\r\x0b\x0c\x1c\x1d\x1e\x85"


def check_text(value: str, *, multiline: bool = False) -> str:
    """``value`` itself, or :class:`ValueError` saying which character is refused (pydantic
    puts the field's name in front of it)."""
    problem = text_problem(value, multiline=multiline)
    if problem is not None:
        raise ValueError(problem)
    return value
