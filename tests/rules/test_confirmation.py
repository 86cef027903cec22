"""Confirmation by a second series (issue 19): a level is raised after fewer steps while a
second series of the material agrees; one series alone waits the usual persistence, or the
longer ``unconfirmed`` one while the material's other series has data and does not agree."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from rules_testdata import long_frame

from rules import RuleSetError, evaluate, parse_ruleset

DAYS = 40
RISE = 20  # the step on which a series rises from 100 to 120 (yellow at 110)


def ruleset(confirmation: dict[str, Any] | None) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "version": "confirm-test",
        "combine": {"method": "highest"},
        "persistence": {"D": {"blue": 0, "yellow": 5, "red": 5}},
        "hysteresis": {"margin": 0.5, "steps": {"D": 1}},
        "rules": [
            {"name": "price_band", "detector": "band", "up": {"yellow": 110}},
            {"name": "stocks_band", "detector": "band", "indicator": "inventory",
             "role": "supply", "up": {"yellow": 110}},
        ],
    }  # fmt: skip
    if confirmation is not None:
        raw["confirmation"] = confirmation
    return raw


def series(rise_at: int | None, series_id: str, indicator: str = "price") -> pd.DataFrame:
    v = np.full(DAYS, 100.0)
    if rise_at is not None:
        v[rise_at:] = 120.0
    return long_frame(v, start="2024-01-01", series_id=series_id, indicator=indicator)


FAST = {"persistence": {"D": {"yellow": 2, "red": 2}}, "score": 2.0}
SIGNAL_ONLY = {**FAST, "roles": ["signal"]}
# a lone price series waits 8 steps while the material's other price series has data but is
# not at yellow in its direction; the usual 5 when it is (or when there is no other series)
SLOW = {"unconfirmed": {"D": {"yellow": 8, "red": 8}}, "score": 2.0, "roles": ["signal"]}
FAST_AND_SLOW = {**SLOW, "persistence": {"D": {"yellow": 2, "red": 2}}}
CASES = [
    # (name, confirmation, futures rise, second series (id, indicator, rise), first yellow step)
    ("one series alone waits 5 steps", FAST, RISE, ("copper_spot", "price", None), RISE + 4),
    ("futures with spot: 2 steps", FAST, RISE, ("copper_spot", "price", RISE), RISE + 1),
    ("spot confirms two steps later", FAST, RISE, ("copper_spot", "price", RISE + 2), RISE + 2),
    ("spot confirms four steps later", FAST, RISE, ("copper_spot", "price", RISE + 4), RISE + 4),
    ("no confirmation block: 5 steps", None, RISE, ("copper_spot", "price", RISE), RISE + 4),
    ("stocks (supply) confirm the price", FAST, RISE, ("copper_stocks", "inventory", RISE),
     RISE + 1),
    ("only signals confirm: stocks do not", SIGNAL_ONLY, RISE,
     ("copper_stocks", "inventory", RISE), RISE + 4),
    ("spot flat: futures alone wait 8 steps", SLOW, RISE, ("copper_spot", "price", None),
     RISE + 7),
    ("spot with the futures: the usual 5", SLOW, RISE, ("copper_spot", "price", RISE),
     RISE + 4),
    ("spot confirms three steps later: the usual 5", SLOW, RISE,
     ("copper_spot", "price", RISE + 3), RISE + 4),
    ("spot confirms six steps later, before the 8", SLOW, RISE,
     ("copper_spot", "price", RISE + 6), RISE + 6),
    ("spot confirms eight steps later, after the 8", SLOW, RISE,
     ("copper_spot", "price", RISE + 8), RISE + 7),
    ("flat stocks do not slow a signal-only block", SLOW, RISE,
     ("copper_stocks", "inventory", None), RISE + 4),
    ("both blocks, spot flat: 8 steps", FAST_AND_SLOW, RISE, ("copper_spot", "price", None),
     RISE + 7),
    ("both blocks, spot with the futures: 2 steps", FAST_AND_SLOW, RISE,
     ("copper_spot", "price", RISE), RISE + 1),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "confirmation", "rise", "second", "first_yellow"), CASES, ids=[c[0] for c in CASES]
)
def test_first_yellow_step(
    name: str,
    confirmation: dict[str, Any] | None,
    rise: int,
    second: tuple[str, str, int | None],
    first_yellow: int,
) -> None:
    sid, indicator, second_rise = second
    obs = pd.concat(
        [series(rise, "copper_futures"), series(second_rise, sid, indicator)], ignore_index=True
    )
    levels = evaluate(obs, parse_ruleset(ruleset(confirmation)), with_indicators=False).materials
    yellow = (levels["level"] == "yellow").to_numpy()
    assert yellow.any()
    assert int(np.argmax(yellow)) == first_yellow
    assert not yellow[first_yellow - 1]  # the step before is still normal
    assert yellow[first_yellow:].all()


@pytest.mark.parametrize("confirmation", [SLOW, None], ids=["unconfirmed block", "none"])
def test_a_lone_price_series_keeps_the_usual_persistence(
    confirmation: dict[str, Any] | None,
) -> None:
    obs = series(RISE, "copper_futures")
    levels = evaluate(obs, parse_ruleset(ruleset(confirmation)), with_indicators=False).materials
    yellow = (levels["level"] == "yellow").to_numpy()
    assert int(np.argmax(yellow)) == RISE + 4
    assert yellow[RISE + 4 :].all() and not yellow[: RISE + 4].any()


@pytest.mark.parametrize(
    ("confirmation", "spot_rise", "count", "needed"),
    [
        (FAST, None, 1, 5),  # one series alone: 1 of the usual 5
        (FAST, RISE, 1, 2),  # confirmed: 1 of 2
        (SLOW, None, 1, 8),  # the spot flat: 1 of 8
        (SLOW, RISE, 1, 5),  # the spot with it: 1 of the usual 5
    ],
)
def test_pending_counts_the_persistence_in_force(
    confirmation: dict[str, Any], spot_rise: int | None, count: int, needed: int
) -> None:
    obs = pd.concat(
        [series(RISE, "copper_futures"), series(spot_rise, "copper_spot")], ignore_index=True
    )
    levels = evaluate(obs, parse_ruleset(ruleset(confirmation)), with_indicators=False).materials
    step = levels.iloc[RISE]
    assert (step["basis"], step["basis_count"], step["basis_needed"]) == (
        "pending", count, needed,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("confirmation", "field"),
    [
        ({"score": 0}, "score"),
        ({"roles": []}, "roles"),
        ({"roles": ["veto"]}, "roles"),
        ({"persistence": {"D": {"yellow": -1}}}, "persistence"),
        ({"unconfirmed": {"D": {"red": -1}}}, "unconfirmed"),
        ({"steps": 2}, "steps"),
    ],
)
def test_a_bad_confirmation_block_is_named(confirmation: dict[str, Any], field: str) -> None:
    with pytest.raises(RuleSetError) as err:
        parse_ruleset(ruleset(confirmation))
    assert field in str(err.value)
