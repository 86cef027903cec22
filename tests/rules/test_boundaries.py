"""The rules at their exact edges: a release at exactly the level minus the hysteresis
margin, flat output beside a moving price, an assessment exactly ``staleness_days`` old.
Each once let a deliberate small bug through."""

from __future__ import annotations

import copy
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from rules_testdata import long_frame

from rules import Level, assess_latest, parse_ruleset
from rules.combine import latch_levels
from rules.detectors.supply import PriceVsOutput

MARGIN = 0.5  # the hysteresis margin (rules/data/default.yaml's too)


def persist_at_once(n: int) -> np.ndarray:
    return np.zeros((n, 3), dtype=int)


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([1.0, 0.5, 0.5], [1, 1, 1]),  # blue (1) held at exactly 1 - 0.5
        ([1.0, 0.5, 0.4999], [1, 1, 0]),  # released just below it
        ([2.0, 1.5, 1.5], [2, 2, 2]),  # yellow (2) held at exactly 2 - 0.5
        ([2.0, 1.5, 1.4999], [2, 2, 1]),  # released to blue just below it
        ([3.0, 2.5, 2.4999], [3, 3, 2]),  # red likewise
    ],
)
def test_a_level_is_released_only_below_the_level_minus_the_margin(
    scores: list[float], expected: list[int]
) -> None:
    n = len(scores)
    got = latch_levels(np.array(scores), persist_at_once(n), np.full(n, 1), MARGIN)
    assert got.tolist() == expected


@pytest.mark.parametrize(
    ("price", "output", "expected"),
    [
        (12.0, 0.0, 0.0),  # price up, output flat: not a supply shock
        (-12.0, 0.0, 0.0),  # price down, output flat: not a glut
        (12.0, -3.0, 12.0),  # price up, output down: supply
        (-12.0, 3.0, -12.0),  # price down, output up: glut
        (12.0, 3.0, 0.0),  # together: demand-led
        (0.0, -3.0, 0.0),  # flat price
    ],
)
def test_price_against_output_needs_output_to_move_the_other_way(
    price: float, output: float, expected: float
) -> None:
    detector = PriceVsOutput({})
    got = detector.combine(pd.Series([price]), pd.Series([output]))
    assert got.tolist() == [expected]


def test_flat_output_year_on_year_beside_a_rising_price_gives_nothing() -> None:
    months = pd.date_range("2020-01-01", periods=13, freq="MS")
    price = pd.DataFrame({"p": [100.0] * 12 + [130.0]}, index=months)
    output = pd.DataFrame({"o": [100.0] * 13}, index=months)
    got = PriceVsOutput({}).combine_kinds({"price": price, "output": output})
    assert got is not None and got.iloc[-1] == 0.0


STALE_DAYS = 7  # the daily staleness of the rule set below (a week: Wednesday to Wednesday)
FRESHNESS = {
    "version": "fresh-1",
    "combine": {"method": "highest"},
    "persistence": {"default": {"blue": 1, "yellow": 1, "red": 1}},
    "hysteresis": {"margin": MARGIN, "steps": {"default": 1}},
    "timing": {"staleness_days": {"D": STALE_DAYS}},
    "rules": [
        {
            "name": "price_yoy",
            "detector": "change",
            "params": {"days": 365},
            "up": {"blue": 20, "yellow": 30, "red": 50},
        }
    ],
}


@pytest.mark.parametrize(("days", "level"), [(STALE_DAYS, Level.NORMAL), (STALE_DAYS + 1, None)])
def test_an_assessment_exactly_staleness_days_old_is_still_fresh(
    days: int, level: Level | None
) -> None:
    ruleset = parse_ruleset(copy.deepcopy(FRESHNESS))
    obs = long_frame(np.full(400, 100.0))  # daily, flat: normal while fresh
    last = obs["period"].iloc[-1].date()
    (assessment,) = assess_latest(obs, ruleset, as_of=last + timedelta(days=days))
    assert assessment.level == (level or Level.NO_DATA)
    assert assessment.period == last


@pytest.mark.parametrize(
    ("extra_days", "level", "futures"),
    [(5, Level.RED, Level.RED), (6, Level.NORMAL, Level.NO_DATA)],
)
def test_a_series_exactly_staleness_days_behind_the_others_still_counts(
    extra_days: int, level: Level, futures: Level
) -> None:
    """The futures surge (red) stops on Wednesday 13 July 2016; the spot price (flat) goes on
    ``extra_days`` business days more: 5 is the next Wednesday, 7 days on, 6 a day later."""
    ruleset = parse_ruleset(copy.deepcopy(FRESHNESS))
    surge = np.full(400, 100.0)
    surge[300:] = np.linspace(100.0, 170.0, 100)
    futures_frame = long_frame(surge, series_id="copper_futures")
    spot = long_frame(np.full(400 + extra_days, 100.0), series_id="copper_spot")
    as_of = spot["period"].iloc[-1].date()
    behind = as_of - futures_frame["period"].iloc[-1].date()
    assert behind == timedelta(days=STALE_DAYS + extra_days - 5)
    (assessment,) = assess_latest(pd.concat([spot, futures_frame]), ruleset, as_of=as_of)
    assert assessment.level == level
    by_series = {row.series_id: row.level for row in assessment.indicators}
    assert by_series == {"copper_spot": Level.NORMAL, "copper_futures": futures}
