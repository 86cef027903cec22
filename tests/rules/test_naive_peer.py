"""The naive peer of issue 19: monthly means; max(|YoY|, 2 x |3-month|) at 20 / 35 / 50 %."""

from __future__ import annotations

from decimal import Decimal

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


def test_values_read_as_decimals_give_the_same_levels() -> None:
    """A store's NUMERIC column arrives as ``Decimal`` objects: the peer works on floats."""
    s = after_a_year(150.0)
    obs = pd.DataFrame(
        {
            "series_id": "copper_x",
            "material": "copper",
            "indicator": "price",
            "frequency": "M",
            "period": s.index,
            "value": [Decimal(str(v)) for v in s],
        }
    )
    assert obs["value"].dtype == object
    out = naive_levels(obs)
    assert out.iloc[-1].tolist() == ["copper", pd.Timestamp("2021-01-31"), "red", "up"]
    # month 3: twice the 50 % three-month change; months 4-11 flat; month 12: 50 % on the year
    assert out["level"].tolist() == ["red"] + ["normal"] * 8 + ["red"]


def test_no_price_series_gives_an_empty_frame_with_the_level_columns() -> None:
    stocks = pd.DataFrame(
        {"series_id": "copper_stocks", "material": "copper", "indicator": "inventory",
         "frequency": "M", "period": pd.date_range("2020-01-01", periods=3, freq="MS"),
         "value": 1.0}
    )  # fmt: skip
    out = naive_levels(stocks)
    assert out.empty and list(out.columns) == ["material", "period", "level", "direction"]


def test_two_materials_in_one_frame_with_a_fresh_index() -> None:
    s = after_a_year(150.0)
    one = pd.DataFrame(
        {"series_id": "copper_x", "material": "copper", "indicator": "price",
         "frequency": "M", "period": s.index, "value": s.to_numpy()}
    )  # fmt: skip
    two = one.assign(series_id="zinc_x", material="zinc", value=one["value"] * 0.5)
    out = naive_levels(pd.concat([one, two], ignore_index=True))
    assert out["material"].tolist() == ["copper"] * 10 + ["zinc"] * 10
    assert out.index.tolist() == list(range(20))


def test_a_missing_month_is_not_skipped_over() -> None:
    """Changes are against the calendar month a year (three months) before, not the row: a
    price rising 10 a month from 100 in January 2020, June 2020 missing."""
    months = [m for m in range(14) if m != 5]
    values = pd.Series(
        [100.0 + 10 * m for m in months],
        index=pd.DatetimeIndex(
            [pd.Timestamp("2020-01-01") + pd.DateOffset(months=m) for m in months]
        ),
    )
    out = material_levels([values]).set_index("period")
    # February 2021 (230) against February 2020 (110), not against January 2020 (100)
    assert out.loc[pd.Timestamp("2021-02-28"), "move"] == pytest.approx(100 * (230 / 110 - 1))
    # September 2020 (180) has no three-month change (June is missing), no year-on-year either
    assert pd.Timestamp("2020-09-30") not in out.index
    assert pd.Timestamp("2020-06-30") not in out.index  # the missing month has no level


def test_the_first_year_is_judged_by_the_three_month_change_alone() -> None:
    """Before a year of history only the three-month change exists: a flat year gives a
    normal row each month from the fourth, none lost."""
    out = material_levels([monthly([100.0] * 12)])
    assert out["level"].tolist() == ["normal"] * 9
    assert out["period"].iloc[0] == pd.Timestamp("2020-04-30")


def test_a_tie_between_the_two_changes_takes_the_year_on_year_sign() -> None:
    """+50 % on the year and twice -25 % over three months: the year-on-year change wins."""
    values = [100.0] * 9 + [200.0, 200.0, 200.0, 150.0]
    last = material_levels([monthly(values)]).iloc[-1]
    assert (last["level"], last["direction"], last["move"]) == ("red", "up", 50.0)


@pytest.mark.parametrize("series", [[], [monthly([100.0, 101.0])], [monthly([float("nan")] * 5)]])
def test_too_little_history_gives_an_empty_frame_with_its_columns(
    series: list[pd.Series],
) -> None:
    out = material_levels(series)
    assert out.empty and list(out.columns) == ["period", "level", "direction", "move"]


def test_a_series_without_a_move_that_month_does_not_hide_a_small_one() -> None:
    """The worst series is the largest move among the series with one: a month where only one
    series has a (small) move takes it."""
    small = monthly([100.0] * 12 + [100.2])  # January 2021: +0.2 % on the year and 3 months
    short = monthly([100.0, 100.0, 100.0, 100.0, 100.0])  # ends in May 2020
    last = material_levels([small, short]).iloc[-1]
    assert last["period"] == pd.Timestamp("2021-01-31")
    assert (last["level"], last["move"]) == ("normal", pytest.approx(0.4))  # twice 0.2 %
