"""Characters no text field of the service may hold: control characters and line breaks.

A value read from a file or typed into a form is one line of printable text. A NUL byte is
refused by PostgreSQL (and stored as given by SQLite); a line break in a name forges headers
of the email it goes into; other control characters and the bidirectional overrides hide
what a text says. :func:`control_character` finds the first such character so that the edge
refuses the field, naming it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# C0 (tab, CR and LF among them), DEL, C1 (U+0085 NEL among them), the Unicode line and
# paragraph separators, and the bidirectional embeddings, overrides and isolates.
CONTROL_CHARACTERS: Final = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def control_character(text: str) -> str | None:
    """How the first control character of ``text`` is named (``U+0000 NUL``), or None."""
    found = CONTROL_CHARACTERS.search(text)
    if found is None:
        return None
    return describe(found.group())


def escaped(text: str) -> str:
    """``text`` with each control character written as an escape (``\\x00``, ``\\u2028``):
    a refused row kept for display, storable and shown on one line."""
    return CONTROL_CHARACTERS.sub(lambda found: _escape(found.group()), text)


def _escape(character: str) -> str:
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def describe(character: str) -> str:
    """``U+000A LINE FEED``: the code point and, where Unicode gives one, its name."""
    name = unicodedata.name(character, "") or _ALIASES.get(character, "")
    code = f"U+{ord(character):04X}"
    return f"{code} {name}" if name else code


# unicodedata has no name for the C0/C1 controls; the common ones by their usual alias.
_ALIASES: Final = {
    "\x00": "NUL",
    "\t": "TAB",
    "\n": "LINE FEED",
    "\x0b": "LINE TABULATION",
    "\x0c": "FORM FEED",
    "\r": "CARRIAGE RETURN",
    "\x1b": "ESCAPE",
    "\x7f": "DELETE",
    "\x85": "NEXT LINE",
}
