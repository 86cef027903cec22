"""The backtest's own scoring at its edges: what counts as a warned move, a level change, a
pivot (rules.backtest_goals). The figures of issues 10 and 19 rest on these; each case was a
mutant that survived the suite (docs/testing.md)."""

from __future__ import annotations

import pandas as pd
import pytest

from rules.backtest_goals import changes_per_year, three_month_change, warn_series, zigzag


def levels(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["material", "period", "level", "direction"])


def test_a_warning_counts_for_its_own_direction_only() -> None:
    frame = levels(
        [
            ("copper", "2024-01-01", "yellow", "up"),
            ("copper", "2024-01-02", "red", "down"),
            ("copper", "2024-01-03", "normal", ""),
            ("zinc", "2024-01-01", "red", "up"),
        ]
    )
    up = warn_series(frame, "copper", "up")
    assert list(up.index.strftime("%Y-%m-%d")) == ["2024-01-01", "2024-01-02", "2024-01-03"]
    assert list(up) == [True, False, False]
    assert list(warn_series(frame, "copper", "down")) == [False, True, False]


def test_no_data_steps_are_skipped_when_counting_level_changes() -> None:
    days = pd.date_range("2024-01-01", "2024-12-31", freq="D")
    rows = []
    for day in days:  # normal, then yellow up from June with no_data gaps in between
        if day.month in (3, 8):
            rows.append(("copper", day, "no_data", ""))
        elif day.month >= 6:
            rows.append(("copper", day, "yellow", "up"))
        else:
            rows.append(("copper", day, "normal", ""))
    found = changes_per_year(levels(rows))
    assert found.to_dict() == {("copper", 2024): 1}  # normal -> yellow once; no_data is not one
    short = levels([("zinc", d, "normal", "") for d in pd.date_range("2024-01-01", periods=100)])
    assert changes_per_year(short).empty  # under 180 days of a year: not scored


@pytest.mark.parametrize(
    ("path", "pivots"),
    [
        # down 20 % from 100 confirms the peak at the start (no pivot: it is the first one);
        # then up exactly 15 % from the trough at 80 (92) confirms the trough
        ([100.0, 80.0, 92.0], ["d0", ("d1", "d2"), ("d2", None)]),  # then the open peak
        ([100.0, 80.0, 91.99], ["d0", ("d1", None)]),  # just short of 15 %: unconfirmed
    ],
)
def test_a_pivot_is_confirmed_at_exactly_the_reversal(
    path: list[float], pivots: list[object]
) -> None:
    days = pd.date_range("2024-01-01", periods=len(path), freq="D")
    found = zigzag(pd.Series(path, index=days), reversal=0.15)
    names = {day: f"d{i}" for i, day in enumerate(days)}
    shown: list[object] = []
    for pivot, confirmed in found:
        if pivot == confirmed and not shown:
            shown.append(names[pivot])
        else:
            shown.append((names[pivot], None if pd.isna(confirmed) else names[confirmed]))
    assert shown == pivots


def test_a_trough_on_the_second_day_is_a_pivot() -> None:
    days = pd.date_range("2024-01-01", periods=4, freq="D")
    found = zigzag(pd.Series([100.0, 80.0, 100.0, 70.0], index=days), reversal=0.15)
    assert (days[1], days[2]) in found  # the trough at index 1 (lo > 0), confirmed the next day


def test_the_three_month_change_reads_the_last_price_on_or_before_the_day_back() -> None:
    days = pd.bdate_range("2024-01-01", "2024-06-28")  # weekdays only
    prices = pd.Series(100.0, index=days)
    prices[prices.index >= "2024-04-01"] = 120.0
    change = three_month_change(prices, days=90)
    friday = pd.Timestamp("2024-06-28")  # 90 days back is Saturday 2024-03-30: Friday's 100
    assert change[friday] == pytest.approx(20.0)
    assert change[pd.Timestamp("2024-06-27")] == pytest.approx(20.0)  # Friday 03-29 itself
    assert change[: pd.Timestamp("2024-03-29")].isna().all()  # under 90 days of history
    assert change[pd.Timestamp("2024-04-01")] == pytest.approx(20.0)  # 2024-01-02: 100
