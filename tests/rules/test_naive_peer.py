"""The naive peer of issue 19: monthly means; max(|YoY|, 2 x |3-month|) at 20 / 35 / 50 %."""

from __future__ import annotations

import pandas as pd
import pytest

from rules.naive_peer import material_levels, naive_levels


def monthly(values: list[float], start: str = "2020-01-01") -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="MS"))


def after_a_year(level: float) -> pd.Series:
    """100 in month 0, then ``level`` for a year: in month 12 the year-on-year change is
    ``level`` - 100 % and the three-month change 0."""
    return monthly([100.0] + [level] * 12)


@pytest.mark.parametrize(
    ("level", "expected", "direction", "move"),
    [
        (119.9, "normal", "", 19.9),  # just below blue
        (120.0, "blue", "up", 20.0),  # at blue
        (134.9, "blue", "up", 34.9),
        (135.0, "yellow", "up", 35.0),  # at yellow
        (150.0, "red", "up", 50.0),  # at red
        (80.0, "blue", "down", -20.0),
        (65.0, "yellow", "down", -35.0),
        (50.0, "red", "down", -50.0),
    ],
)
def test_year_on_year_thresholds(level: float, expected: str, direction: str, move: float) -> None:
    out = material_levels([after_a_year(level)])
    last = out.iloc[-1]
    assert last["period"] == pd.Timestamp("2021-01-31")  # known at the month's end
    assert (last["level"], last["direction"]) == (expected, direction)
    assert last["move"] == pytest.approx(move)


@pytest.mark.parametrize(
    ("three_months_ago", "now", "expected", "direction"),
    [
        (100.0, 109.9, "normal", ""),  # 2 x 9.9 % = 19.8 %
        (100.0, 110.0, "blue", "up"),  # 2 x 10 % = 20 %
        (100.0, 117.5, "yellow", "up"),  # 2 x 17.5 % = 35 %
        (100.0, 125.0, "red", "up"),  # 2 x 25 % = 50 %
        (100.0, 82.5, "yellow", "down"),
    ],
)
def test_twice_the_three_month_change(
    three_months_ago: float, now: float, expected: str, direction: str
) -> None:
    # a year flat at three_months_ago, so the year-on-year change equals the 3-month change
    values = [three_months_ago] * 12 + [three_months_ago, three_months_ago, now]
    last = material_levels([monthly(values)]).iloc[-1]
    assert (last["level"], last["direction"]) == (expected, direction)


def test_monthly_means_not_the_last_day() -> None:
    # a daily spike to 200 on one day of a month of 100s moves the mean by ~3 %, not 100 %
    days = pd.date_range("2020-01-01", "2021-01-31", freq="D")
    s = pd.Series(100.0, index=days)
    s[pd.Timestamp("2021-01-31")] = 200.0
    last = material_levels([s]).iloc[-1]
    assert last["level"] == "normal" and last["move"] == pytest.approx(2 * 100 / 31, abs=0.01)


def test_the_material_takes_its_worst_series() -> None:
    quiet, loud = after_a_year(120.0), after_a_year(60.0)
    last = material_levels([quiet, loud]).iloc[-1]
    assert (last["level"], last["direction"]) == ("yellow", "down")  # -40 % beats +20 %
    first = material_levels([quiet, loud]).iloc[0]  # month 3: the first with a past
    assert first["period"] == pd.Timestamp("2020-04-30")
    assert (first["level"], first["direction"]) == ("red", "down")  # 2 x -40 % beats 2 x 20 %


def test_naive_levels_of_a_long_frame() -> None:
    s = after_a_year(150.0)
    obs = pd.DataFrame(
        {
            "series_id": "copper_x",
            "material": "copper",
            "indicator": "price",
            "frequency": "M",
            "period": s.index,
            "value": s.to_numpy(),
        }
    )
    stocks = obs.assign(series_id="copper_stocks", indicator="inventory", value=1.0)
    out = naive_levels(pd.concat([obs, stocks]))  # stocks are not prices: ignored
    assert list(out.columns) == ["material", "period", "level", "direction"]
    assert out.iloc[-1].tolist() == ["copper", pd.Timestamp("2021-01-31"), "red", "up"]
