"""Re-entry cool-down (issue 19): within K steps after a warning ended (released or vetoed),
the same direction's warning comes back only after P consecutive steps at its level instead
of the usual N, or once the cool-down is over, whichever comes first. The expected steps are
worked out by hand from the scenario below, never with the code under test."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from rules_testdata import long_frame

from rules import RuleSetError, evaluate, parse_ruleset
from rules.combine import latch_levels, latch_reentry

N = 60
FIRST = 10  # the first rise: steps 10-19 at yellow (raised on step 14 after 5 steps)
DROP = 20  # the first warning ends on step 20 (one step below, or a veto)
USUAL, K, P = 5, 15, 12  # usual persistence; cool-down steps after the end; re-entry steps


def scores(gap: int) -> np.ndarray:
    """Calm, a yellow move on steps 10-19, calm for ``gap`` steps from 20, yellow again."""
    s = np.zeros(N)
    s[FIRST:DROP] = 2.5
    s[DROP + gap :] = 2.5
    return s


def first_yellow_after(levels: np.ndarray, step: int) -> int:
    later = np.flatnonzero(levels[step:] >= 2)
    return step + int(later[0])


LATCH_CASES = [
    # (name, gap, cool-down steps, first yellow of the second rise)
    ("no cool-down: the usual 5 steps", 3, 0, DROP + 3 + 4),
    ("back 3 steps after the end: 12 steps", 3, K, DROP + 3 + P - 1),
    # the rise begins on step 28 and has its 5 steps on 32, inside the cool-down (20-34):
    # raised when the cool-down ends, on 35, before its 12 steps (39)
    ("back 8 steps after: when the cool-down ends", 8, K, DROP + K),
    ("back 10 steps after: one step later than usual", 10, K, DROP + K),
    # the rise begins on 31 and has its 5 steps on 35, the first step after the cool-down
    ("back 11 steps after: the usual 5 steps", 11, K, DROP + 11 + 4),
    ("back 15 steps after, at the cool-down's end", 15, K, DROP + 15 + 4),
]


@pytest.mark.parametrize(
    ("name", "gap", "cooldown", "expected"), LATCH_CASES, ids=[c[0] for c in LATCH_CASES]
)
def test_re_entry_waits_longer_within_the_cool_down(
    name: str, gap: int, cooldown: int, expected: int
) -> None:
    persist = np.tile([0, USUAL, USUAL], (N, 1))
    again = np.tile([0, P, P], (N, 1))
    reentry = (np.full(N, cooldown), again)
    got = latch_levels(scores(gap), persist, np.full(N, 1), 0.5, None, reentry)
    assert first_yellow_after(got, FIRST) == FIRST + USUAL - 1  # the first warning: as usual
    assert (got[DROP : DROP + gap] < 2).all()  # it did end: nothing is merged
    assert first_yellow_after(got, DROP) == expected
    assert got[expected - 1] < 2 and (got[expected:] >= 2).all()


@pytest.mark.parametrize(
    ("cooldown", "expected"),
    [(0, DROP + 3 + 4), (K, DROP + 3 + P - 1)],
    ids=["no cool-down", "cool-down after a veto"],
)
def test_a_warning_ended_by_a_veto_also_cools_down(cooldown: int, expected: int) -> None:
    # a long release (30 steps) that would hold the warning: only the veto on 20-22 ends it
    s = scores(0)
    veto = np.zeros(N, dtype=bool)
    veto[DROP : DROP + 3] = True
    persist = np.tile([0, USUAL, USUAL], (N, 1))
    reentry = (np.full(N, cooldown), np.tile([0, P, P], (N, 1)))
    got = latch_levels(s, persist, np.full(N, 30), 0.5, veto, reentry)
    assert (got[DROP : DROP + 3] == 0).all()
    assert first_yellow_after(got, DROP) == expected


@pytest.mark.parametrize(
    ("on", "off", "again", "cooldown", "latched", "cool"),
    [
        # on at 0, off at 2; cool-down 3 (steps 2-4, 3 2 1 steps left): `on` at 3 ignored,
        # `on & again` at 4
        ("110111", "001000", "000010", 3, "110011", "003210"),
        # the same without `again`: raised at 5, the first `on` after the cool-down
        ("110111", "001000", "000000", 3, "110001", "003210"),
        # cool-down 0: the plain latch
        ("110111", "001000", "000000", 0, "110111", "000000"),
        # no run: no cool-down
        ("000000", "001000", "000000", 3, "000000", "000000"),
    ],
)
def test_latch_reentry(
    on: str, off: str, again: str, cooldown: int, latched: str, cool: str
) -> None:
    def bits(s: str) -> np.ndarray:
        return np.array([c == "1" for c in s])

    state, in_cool = latch_reentry(bits(on), bits(off), bits(again), np.full(len(on), cooldown))
    assert "".join("1" if b else "0" for b in state) == latched
    assert "".join(str(int(k)) for k in in_cool) == cool


# --- the rule set option, through the engine -------------------------------------------------

CALM, HIGH = 100.0, 125.0  # band: yellow at 120, red at 140 (a calm 100 scores 0)


def ruleset(reentry: dict[str, Any] | None) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "version": "reentry-test",
        "combine": {"method": "highest"},
        "persistence": {"D": {"blue": 0, "yellow": USUAL, "red": USUAL}},
        "hysteresis": {"margin": 0.5, "steps": {"D": 1}},
        "rules": [{"name": "price_band", "detector": "band", "up": {"yellow": 120, "red": 140}}],
    }
    if reentry is not None:
        raw["reentry"] = reentry
    return raw


REENTRY = {"steps": {"D": K}, "persistence": {"D": {"yellow": P, "red": P}}}


def observations(gap: int) -> pd.DataFrame:
    v = np.full(N, CALM)
    v[FIRST:DROP] = HIGH
    v[DROP + gap :] = HIGH
    return long_frame(v, start="2024-01-01")


@pytest.mark.parametrize(
    ("reentry", "gap", "expected"),
    [
        (None, 3, DROP + 3 + 4),
        (REENTRY, 3, DROP + 3 + P - 1),
        (REENTRY, 11, DROP + 11 + 4),
        ({"steps": {"W": K}, "persistence": {"W": {"yellow": P}}}, 3, DROP + 3 + 4),
        ({"steps": {}, "persistence": {"D": {"yellow": P}}}, 3, DROP + 3 + 4),
    ],
    ids=["none", "within", "after", "weekly only: daily unchanged", "no steps: unchanged"],
)
def test_first_yellow_of_a_re_entry(
    reentry: dict[str, Any] | None, gap: int, expected: int
) -> None:
    levels = evaluate(observations(gap), parse_ruleset(ruleset(reentry)), with_indicators=False)
    yellow = (levels.materials["level"] == "yellow").to_numpy()
    assert yellow[FIRST + USUAL - 1 : DROP].all() and not yellow[DROP : DROP + gap].any()
    assert first_yellow_after(yellow.astype(int) * 2, DROP) == expected


@pytest.mark.parametrize(
    ("reentry", "gap", "offset", "count", "needed"),
    [
        (None, 3, 0, 1, USUAL),
        (REENTRY, 3, 0, 1, P),  # 1 of 12: the cool-down lasts 12 more steps (to step 34)
        (REENTRY, 3, 5, 6, P),
        # the rise begins on step 28, 7 steps before the cool-down ends (35): raised on 35,
        # so 1 of 8, then 2 of 8 ...
        (REENTRY, 8, 0, 1, 8),
        (REENTRY, 8, 6, 7, 8),
        # begins on 33, 2 steps before the end: the usual 5 come first
        (REENTRY, 13, 0, 1, USUAL),
    ],
    ids=["usual", "cool-down", "cool-down, 6th step", "cool-down ends first",
         "cool-down ends first, 7th step", "usual steps come first"],
)  # fmt: skip
def test_pending_counts_the_re_entry_persistence(
    reentry: dict[str, Any] | None, gap: int, offset: int, count: int, needed: int
) -> None:
    levels = evaluate(observations(gap), parse_ruleset(ruleset(reentry)), with_indicators=False)
    step = levels.materials.iloc[DROP + gap + offset]  # a step of the second rise
    assert (step["basis"], step["basis_count"], step["basis_needed"]) == (
        "pending", count, needed,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("reentry", "field"),
    [
        ({"steps": {"D": -1}}, "reentry.steps.D"),
        ({"steps": {"D": 5}, "persistence": {"D": {"yellow": -2}}}, "reentry.persistence.D.yellow"),
        ({"steps": {"D": 5}, "wait": 3}, "reentry.wait"),
    ],
    ids=["negative steps", "negative persistence", "unknown key"],
)
def test_invalid_reentry_names_the_field(reentry: dict[str, Any], field: str) -> None:
    with pytest.raises(RuleSetError) as err:
        parse_ruleset(ruleset(reentry))
    assert err.value.field == field
