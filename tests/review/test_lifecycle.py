"""The transition table, row by row, and every move it refuses."""

from __future__ import annotations

import pytest

from warning.review.lifecycle import TRANSITIONS, InvalidMove, next_state
from warning.review.states import ItemEvent, ItemState

P, S = ItemState.PENDING, ItemState.SNOOZED
A, R, X = ItemState.APPROVED, ItemState.REJECTED, ItemState.SUPERSEDED

ALLOWED = [
    (P, ItemEvent.UPDATE, P),
    (S, ItemEvent.UPDATE, S),
    (P, ItemEvent.APPROVE, A),
    (S, ItemEvent.APPROVE, A),
    (P, ItemEvent.ADJUST, A),
    (S, ItemEvent.ADJUST, A),
    (P, ItemEvent.REJECT, R),
    (S, ItemEvent.REJECT, R),
    (P, ItemEvent.SNOOZE, S),
    (S, ItemEvent.SNOOZE, S),
    (S, ItemEvent.WAKE, P),
    (P, ItemEvent.SUPERSEDE, X),
    (S, ItemEvent.SUPERSEDE, X),
    (P, ItemEvent.AUTO_APPROVE, A),
    (P, ItemEvent.OVERDUE, P),
]


@pytest.mark.parametrize(("state", "event", "after"), ALLOWED)
def test_allowed_moves(state: ItemState, event: ItemEvent, after: ItemState) -> None:
    assert next_state(7, state, event) is after


def test_the_table_is_exactly_the_allowed_moves() -> None:
    assert {(state, event): after for state, event, after in ALLOWED} == TRANSITIONS


REFUSED = [
    (state, event)
    for state in ItemState
    for event in ItemEvent
    if (state, event) not in {(s, e) for s, e, _ in ALLOWED}
]


VERBS = {
    ItemEvent.UPDATE: "updated",
    ItemEvent.APPROVE: "approved",
    ItemEvent.ADJUST: "adjusted",
    ItemEvent.REJECT: "rejected",
    ItemEvent.SNOOZE: "snoozed",
    ItemEvent.WAKE: "woken",
    ItemEvent.SUPERSEDE: "superseded",
    ItemEvent.AUTO_APPROVE: "approved by policy",
    ItemEvent.OVERDUE: "marked overdue",
}


def expected_reason(state: ItemState, event: ItemEvent) -> str:
    if state in (A, R, X):
        return f"it is {state} already; a decided item cannot be {VERBS[event]} any more"
    if event is ItemEvent.WAKE:
        return "it is not snoozed"  # only a pending item: a snoozed one may wake
    return f"a {state} item cannot be {VERBS[event]}"


@pytest.mark.parametrize(("state", "event"), REFUSED)
def test_every_other_move_is_refused_with_a_reason(state: ItemState, event: ItemEvent) -> None:
    with pytest.raises(InvalidMove) as refused:
        next_state(7, state, event)
    assert refused.value.item_id == 7
    assert refused.value.reason == expected_reason(state, event)
    assert str(refused.value) == f"review item 7: {expected_reason(state, event)}"


def test_waking_a_pending_item_is_refused_because_it_is_not_snoozed() -> None:
    with pytest.raises(InvalidMove) as refused:
        next_state(4, P, ItemEvent.WAKE)
    assert refused.value.reason == "it is not snoozed"


def test_a_decided_item_says_it_is_decided() -> None:
    with pytest.raises(InvalidMove, match="it is approved already"):
        next_state(3, ItemState.APPROVED, ItemEvent.APPROVE)
    with pytest.raises(InvalidMove, match="superseded already; a decided item cannot be rej"):
        next_state(3, ItemState.SUPERSEDED, ItemEvent.REJECT)


def test_refusals_cover_decided_states_for_every_event() -> None:
    for state in (A, R, X):
        assert all((state, event) in REFUSED for event in ItemEvent)
