"""The review policy: which changes approve themselves, and how long others may wait.

From the settings (``WARNING_REVIEW_AUTO_APPROVE``, ``WARNING_REVIEW_DEADLINE_HOURS``,
``WARNING_REVIEW_OVERDUE``); validated there. Defaults: blue proposals and ends of warning
approve themselves; yellow and red need a person, within 24 h and 2 h, after which they are
escalated (raised to the top of the queue).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from vocabulary import Level
from warning.review.states import ChangeKind
from warning.settings import Settings

MOST_HOURS: Final = 8784  # a review deadline is at most a (leap) year


class OverdueAction(StrEnum):
    """What happens to an item past its deadline."""

    ESCALATE = "escalate"  # marked overdue and raised in the queue
    APPROVE = "approve"  # approved by policy


@dataclass(frozen=True)
class AutoApproval:
    """A rule ``level:kind`` (either may be ``*``): proposals it matches approve themselves."""

    level: str  # a Level value or "*"
    kind: str  # a ChangeKind value or "*"

    @classmethod
    def parse(cls, text: str) -> AutoApproval:
        """``"blue:*"``, ``"*:end"``; ValueError naming what is wrong."""
        level, sep, kind = text.partition(":")
        if not sep:
            raise ValueError(f"{text!r}: expected LEVEL:KIND, e.g. blue:* or *:end")
        levels = {"*", Level.BLUE, Level.YELLOW, Level.RED, Level.NORMAL}
        if level not in levels:
            raise ValueError(f"{text!r}: level must be one of blue, yellow, red, normal or *")
        if kind != "*" and kind not in set(ChangeKind):
            kinds = ", ".join(ChangeKind)
            raise ValueError(f"{text!r}: kind must be one of {kinds} or *")
        return cls(level, kind)

    def matches(self, level: Level, kind: ChangeKind) -> bool:
        return self.level in ("*", level) and self.kind in ("*", kind)

    def __str__(self) -> str:
        return f"{self.level}:{self.kind}"


@dataclass(frozen=True)
class ReviewPolicy:
    """Auto-approval rules, review deadlines per level and what an overdue item gets."""

    auto_approve: tuple[AutoApproval, ...] = (
        AutoApproval(Level.BLUE, "*"),
        AutoApproval("*", ChangeKind.END),
    )
    deadline_hours: dict[str, float] = field(
        default_factory=lambda: {Level.RED.value: 2.0, Level.YELLOW.value: 24.0}
    )
    overdue: dict[str, OverdueAction] = field(
        default_factory=lambda: {
            Level.RED.value: OverdueAction.ESCALATE,
            Level.YELLOW.value: OverdueAction.ESCALATE,
        }
    )

    def approves_itself(self, level: Level, kind: ChangeKind) -> bool:
        return any(rule.matches(level, kind) for rule in self.auto_approve)

    def deadline(self, level: Level, created: datetime) -> datetime | None:
        hours = self.deadline_hours.get(level)
        return created + timedelta(hours=hours) if hours is not None else None

    def overdue_action(self, level: Level) -> OverdueAction:
        return self.overdue.get(level, OverdueAction.ESCALATE)

    def as_dict(self) -> dict[str, object]:
        """The policy as plain data (stored as JSON, audited, shown): the settings' shape."""
        return {
            "auto_approve": [str(rule) for rule in self.auto_approve],
            "deadline_hours": {level: float(h) for level, h in sorted(self.deadline_hours.items())},
            "overdue": {level: str(a) for level, a in sorted(self.overdue.items())},
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> ReviewPolicy:
        """A policy from :meth:`as_dict`'s shape; ValueError naming what is wrong."""
        rules, hours, overdue = (
            data.get("auto_approve"),
            data.get("deadline_hours"),
            data.get("overdue"),
        )
        if not isinstance(rules, list) or not isinstance(hours, dict):
            raise ValueError("a policy needs auto_approve (a list) and deadline_hours (a map)")
        if not isinstance(overdue, dict):
            raise ValueError("a policy needs overdue (a map)")
        levels = {Level.BLUE.value, Level.YELLOW.value, Level.RED.value}
        for level in [*hours, *overdue]:
            if level not in levels:
                raise ValueError(f"{level!r}: expected a level (blue, yellow or red)")
        for level, value in hours.items():
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if not number or not 0 < value <= MOST_HOURS:
                raise ValueError(
                    f"{level}: expected a number of hours above 0 and at most {MOST_HOURS}, "
                    f"got {value!r}"
                )
        return cls(
            auto_approve=tuple(dict.fromkeys(AutoApproval.parse(str(rule)) for rule in rules)),
            deadline_hours={str(level): float(value) for level, value in hours.items()},
            overdue={str(level): OverdueAction(str(action)) for level, action in overdue.items()},
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> ReviewPolicy:
        """The policy the settings describe (validated when the settings were loaded)."""
        return cls(
            auto_approve=tuple(AutoApproval.parse(rule) for rule in settings.review_auto_approve),
            deadline_hours=dict(settings.review_deadline_hours),
            overdue={
                level: OverdueAction(action) for level, action in settings.review_overdue.items()
            },
        )
