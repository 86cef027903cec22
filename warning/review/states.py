"""The words of the warning lifecycle: item states, kinds of change, events, actors."""

from __future__ import annotations

from enum import StrEnum

from vocabulary import ChangeKind

__all__ = [
    "OPEN_STATES",
    "POLICY_ACTOR",
    "SYSTEM_ACTOR",
    "ChangeKind",
    "ItemEvent",
    "ItemState",
    "WarningState",
]


class ItemState(StrEnum):
    """Where a review item stands. Only ``pending`` and ``snoozed`` are open to decisions."""

    PENDING = "pending"
    SNOOZED = "snoozed"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"


OPEN_STATES: frozenset[ItemState] = frozenset({ItemState.PENDING, ItemState.SNOOZED})


class ItemEvent(StrEnum):
    """What can happen to a review item (the transition table's columns)."""

    UPDATE = "update"  # a newer evaluation changed the proposal before a decision
    APPROVE = "approve"
    ADJUST = "adjust"  # approve with a changed level, direction or text
    REJECT = "reject"
    SNOOZE = "snooze"
    WAKE = "wake"  # the snooze ran out
    SUPERSEDE = "supersede"  # the indicators went back: nothing left to decide
    AUTO_APPROVE = "auto_approve"  # the policy (or a silence) decided
    OVERDUE = "overdue"  # past its review deadline


class WarningState(StrEnum):
    """An approved warning is active until an approved end resolves it."""

    ACTIVE = "active"
    RESOLVED = "resolved"


SYSTEM_ACTOR = "system"  # evaluations creating and updating items
POLICY_ACTOR = "policy"  # auto-approval, deadlines, silences
