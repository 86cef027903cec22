"""Chart level lines: the prices at which the rule set's price-change rule reaches each
threshold, from the price one horizon before the latest."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from alerts.digest import LevelLine
from rules.ruleset import Rule
from vocabulary import Direction, Level
from warning.delivery.charts import chart_info

DAYS = [date(2026, 1, 1) + timedelta(days=i) for i in range(100)]
VALUES = [100.0 + i for i in range(100)]  # 100 .. 199

THREE_MONTHS = Rule.model_validate(
    {
        "name": "price_change_3m",
        "detector": "change",
        "frequencies": ["D"],
        "params": {"periods": 60},
        "up": {"yellow": 15, "red": 30},
        "down": {"yellow": -15, "red": -25},
    }
)
BY_DAYS = Rule.model_validate(
    {
        "name": "price_change_3m_monthly",
        "detector": "change",
        "frequencies": ["W", "M"],
        "params": {"days": 92},
        "up": {"blue": 10},
    }
)
VETO = Rule.model_validate(
    {
        "name": "price_drawdown",
        "detector": "cumulative_move",
        "frequencies": ["D"],
        "params": {"window": 40},
        "role": "veto",
        "up": {"yellow": 15},
    }
)


@pytest.mark.parametrize(
    ("frequency", "rules", "base_date", "base", "lines"),
    [
        # 60 rows before the last (index 99) is index 39: 2026-02-09, value 139
        (
            "D",
            [VETO, THREE_MONTHS],
            date(2026, 2, 9),
            139.0,
            [
                LevelLine(Level.YELLOW, Direction.UP, 139.0 * 1.15),
                LevelLine(Level.RED, Direction.UP, 139.0 * 1.30),
                LevelLine(Level.YELLOW, Direction.DOWN, 139.0 * 0.85),
                LevelLine(Level.RED, Direction.DOWN, 139.0 * 0.75),
            ],
        ),
        # 92 days before 2026-04-10 is 2026-01-08 (index 7, value 107), exactly on the cutoff
        ("W", [THREE_MONTHS, BY_DAYS], date(2026, 1, 8), 107.0, [
            LevelLine(Level.BLUE, Direction.UP, 107.0 * 1.10),
        ]),
    ],
)  # fmt: skip
def test_level_lines_from_the_first_rule_that_applies(
    frequency: str, rules: list[Rule], base_date: date, base: float, lines: list[LevelLine]
) -> None:
    info = chart_info(DAYS, VALUES, unit="CNY/t", frequency=frequency, rules=rules)
    assert (info.unit, info.first, info.last) == ("CNY/t", DAYS[0], DAYS[-1])
    assert (info.base_date, info.base_value) == (base_date, base)
    assert [(x.level, x.direction) for x in info.lines] == [(x.level, x.direction) for x in lines]
    assert [x.value for x in info.lines] == pytest.approx([x.value for x in lines])


@pytest.mark.parametrize(
    ("periods", "rules"),
    [
        (DAYS[:60], [THREE_MONTHS]),  # 60 values: the base would be the 61st before the last
        (DAYS, [VETO]),  # no price-change rule
        (DAYS, [BY_DAYS]),  # not for daily series
    ],
)
def test_no_lines_without_a_rule_or_enough_history(periods: list[date], rules: list[Rule]) -> None:
    info = chart_info(periods, VALUES[: len(periods)], unit="CNY/t", frequency="D", rules=rules)
    assert info.lines == () and info.base_value is None
    assert info.first == periods[0] and info.last == periods[-1]


def test_61_values_are_enough_for_60_rows() -> None:
    info = chart_info(DAYS[:61], VALUES[:61], unit="CNY/t", frequency="D", rules=[THREE_MONTHS])
    assert info.base_date == DAYS[0] and info.base_value == 100.0
