"""The review item lifecycle as one table of allowed moves.

Rows are (state, event); a move not in the table is refused with a reason and changes
nothing. Only open items (pending, snoozed) move; approved, rejected and superseded are final.

======================  ===========  =====================================================
state                   event        next state
======================  ===========  =====================================================
pending / snoozed       update       unchanged (a newer evaluation; the item keeps its age)
pending / snoozed       approve      approved
pending / snoozed       adjust       approved (with a changed level, direction or text)
pending / snoozed       reject       rejected
pending / snoozed       snooze       snoozed (until a later time)
snoozed                 wake         pending (the snooze ran out)
pending / snoozed       supersede    superseded (the indicators went back)
pending                 auto_approve approved (policy, a silence, or an overdue deadline)
pending                 overdue      pending (marked overdue; escalated or approved)
======================  ===========  =====================================================
"""

from __future__ import annotations

from typing import Final

from warning.errors import NotFound, Refused
from warning.review.states import ItemEvent, ItemState

P, S = ItemState.PENDING, ItemState.SNOOZED

TRANSITIONS: Final[dict[tuple[ItemState, ItemEvent], ItemState]] = {
    (P, ItemEvent.UPDATE): P,
    (S, ItemEvent.UPDATE): S,
    (P, ItemEvent.APPROVE): ItemState.APPROVED,
    (S, ItemEvent.APPROVE): ItemState.APPROVED,
    (P, ItemEvent.ADJUST): ItemState.APPROVED,
    (S, ItemEvent.ADJUST): ItemState.APPROVED,
    (P, ItemEvent.REJECT): ItemState.REJECTED,
    (S, ItemEvent.REJECT): ItemState.REJECTED,
    (P, ItemEvent.SNOOZE): S,
    (S, ItemEvent.SNOOZE): S,
    (S, ItemEvent.WAKE): P,
    (P, ItemEvent.SUPERSEDE): ItemState.SUPERSEDED,
    (S, ItemEvent.SUPERSEDE): ItemState.SUPERSEDED,
    (P, ItemEvent.AUTO_APPROVE): ItemState.APPROVED,
    (P, ItemEvent.OVERDUE): P,
}


class InvalidMove(Refused):
    """A move the lifecycle does not allow, or a request it cannot carry out; the message
    says why. Nothing was changed."""

    def __init__(self, item_id: int | None, reason: str) -> None:
        self.item_id = item_id
        self.reason = reason
        super().__init__(f"review item {item_id}: {reason}" if item_id else reason)

    def answer(self) -> dict[str, object]:
        return {"detail": self.reason, "item": self.item_id}


class ItemNotFound(NotFound):
    """No review item (or warning, or silence) with this id."""


def next_state(item_id: int, state: ItemState, event: ItemEvent) -> ItemState:
    """The state after ``event``; :class:`InvalidMove` saying why when the table has no row."""
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise InvalidMove(item_id, _why_not(state, event)) from None


def _why_not(state: ItemState, event: ItemEvent) -> str:
    if state in (ItemState.APPROVED, ItemState.REJECTED, ItemState.SUPERSEDED):
        return f"it is {state} already; a decided item cannot be {_verb(event)} any more"
    if event is ItemEvent.WAKE:
        return "it is not snoozed"
    return f"a {state} item cannot be {_verb(event)}"


def _verb(event: ItemEvent) -> str:
    return {
        ItemEvent.UPDATE: "updated",
        ItemEvent.APPROVE: "approved",
        ItemEvent.ADJUST: "adjusted",
        ItemEvent.REJECT: "rejected",
        ItemEvent.SNOOZE: "snoozed",
        ItemEvent.WAKE: "woken",
        ItemEvent.SUPERSEDE: "superseded",
        ItemEvent.AUTO_APPROVE: "approved by policy",
        ItemEvent.OVERDUE: "marked overdue",
    }[event]
