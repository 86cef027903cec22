"""Comparing a material's warning with a proposal: which kind of change it is."""

from __future__ import annotations

from typing import NamedTuple

from vocabulary import Direction, Level, level_rank
from warning.review.models import MaterialWarning
from warning.review.states import ChangeKind, WarningState


class Standing(NamedTuple):
    """A level and its direction; normal has no direction."""

    level: Level
    direction: Direction

    @classmethod
    def of(cls, level: Level | str, direction: Direction | str) -> Standing:
        level = Level(level)
        if level in (Level.NORMAL, Level.NO_DATA):
            return cls(level, Direction.NONE)
        return cls(level, Direction(direction))


NORMAL = Standing(Level.NORMAL, Direction.NONE)


def standing_of(warning: MaterialWarning | None) -> Standing:
    """What an active warning says (normal without one)."""
    if warning is None or warning.state != WarningState.ACTIVE:
        return NORMAL
    return Standing.of(warning.level, warning.direction)


def kind_of_change(current: Standing, proposal: Standing) -> ChangeKind | None:
    """The kind of change from ``current`` to ``proposal``; None when they are the same."""
    if proposal == current:
        return None
    if proposal.level is Level.NORMAL:
        return ChangeKind.END
    if current.level is Level.NORMAL:
        return ChangeKind.NEW
    if proposal.direction != current.direction:
        return ChangeKind.DIRECTION_CHANGE
    if level_rank(proposal.level) > level_rank(current.level):
        return ChangeKind.ESCALATION
    return ChangeKind.DE_ESCALATION
