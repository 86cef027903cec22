"""Kinds of change to a material's warning: what review items propose and alerts announce."""

from __future__ import annotations

from enum import StrEnum


class ChangeKind(StrEnum):
    """What a change does to the material's warning."""

    NEW = "new"  # no active warning: one starts
    ESCALATION = "escalation"  # same direction, higher level
    DE_ESCALATION = "de_escalation"  # same direction, lower level (still a warning)
    DIRECTION_CHANGE = "direction_change"  # the other direction
    END = "end"  # back to normal: the warning is resolved
