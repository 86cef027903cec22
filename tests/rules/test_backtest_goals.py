"""The backtest scoring that defines the five goals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rules_testdata import long_frame

from rules import DEFAULT_RULESET_PATH
from rules.backtest_goals import (
    calm_months,
    changes_per_year,
    judge_move,
    large_moves,
    score_backtest,
    zigzag,
)


def series(values: list[float], freq: str = "D") -> pd.Series:
    idx = pd.date_range("2020-01-01", periods=len(values), freq=freq)
    return pd.Series(values, index=idx, name="s")


def test_zigzag_confirms_pivots_after_a_reversal() -> None:
    s = series([100, 120, 130, 110, 100, 90, 105, 104])
    piv = zigzag(s, 0.15)
    assert [p[0] for p in piv] == [s.index[0], s.index[2], s.index[5], s.index[6]]
    assert piv[1][1] == s.index[3]  # 110 <= 130 * 0.85 = 110.5
    assert pd.isna(piv[-1][1])


def test_large_move_start_extreme_and_reversal() -> None:
    v = np.r_[np.full(200, 100.0), np.linspace(100, 160, 120), np.linspace(160, 100, 120)]
    s = series(list(v))
    moves = large_moves("copper", s)
    assert [m.direction for m in moves] == ["up", "down"]  # the fall back is large too
    mv = moves[0]
    assert mv.extreme == s.index[319]
    assert mv.start < mv.extreme and mv.reversal is not None and mv.reversal > mv.extreme
    change = (s[mv.start] / s[s.index <= mv.start - pd.Timedelta(days=91)].iloc[-1] - 1) * 100
    assert change >= 15


def test_small_swings_are_not_large_moves() -> None:
    v = np.r_[np.full(200, 100.0), np.linspace(100, 120, 60), np.linspace(120, 100, 60)]
    assert large_moves("copper", series(list(v))) == []


@pytest.mark.parametrize(
    ("warned_days", "hit", "delay", "overhang"),
    [
        ((310, 330), True, 0.0, 0.0),  # warned from before the start, ended before the reversal
        ((330, 400), True, 20.0, None),  # warned 20 days after the start, outlives the reversal
        # never warned: no hit, and the delay counts to a month past the extreme (350 + 30 -
        # 310 days)
        ((), False, 70.0, 0.0),
        # a hit counts from six months before the extreme (day 167, 2020-06-16), not a day
        # earlier; a warning before the move's start is no delay
        ((167, 168), True, 0.0, 0.0),
        ((166, 167), False, 0.0, 0.0),
    ],
)
def test_judge_move(
    warned_days: tuple[int, ...], hit: bool, delay: float, overhang: float | None
) -> None:
    from rules.backtest_goals import Move

    idx = pd.date_range("2020-01-01", periods=500, freq="D")
    mv = Move("copper", "s", "up", idx[0], idx[310], idx[350], idx[380], 50.0)
    warned = pd.Series(False, index=idx)
    if warned_days:
        warned.iloc[warned_days[0] : warned_days[1]] = True
    res = judge_move(mv, warned)
    assert res["hit"] is hit
    assert res["delay_days"] == delay
    if overhang is not None:
        assert res["overhang_days"] == overhang
    else:
        assert res["overhang_days"] == 400 - 380


def test_calm_months_and_level_changes() -> None:
    obs = long_frame(np.full(600, 100.0))
    s = pd.Series(obs["value"].to_numpy(), index=pd.DatetimeIndex(obs["period"]), name="x")
    calm = calm_months({"copper": [s]})
    assert len(calm) > 10
    lv = pd.DataFrame(
        {
            "material": "copper",
            "period": obs["period"],
            "level": np.where(np.arange(600) % 100 < 50, "normal", "yellow"),
            "direction": np.where(np.arange(600) % 100 < 50, "", "up"),
        }
    )
    cpy = changes_per_year(lv)
    assert cpy.max() >= 4
    sc = score_backtest(lv, obs)
    assert sc.calm_warned_share > 0.5 and not sc.passed()["calm"]
    quiet = lv.assign(level="normal", direction="")
    sc2 = score_backtest(quiet, obs)
    assert sc2.calm_warned_share == 0 and sc2.median_changes_per_year == 0


def test_supply_effect_counts_the_steps_supply_rules_change(tmp_path: Path) -> None:
    from rules.backtest_goals import supply_effect

    price = long_frame(np.r_[np.full(300, 100.0), np.linspace(100, 200, 200)], start="2015-01-01")
    output = long_frame(
        np.r_[np.full(24, 100.0), np.linspace(100, 70, 24)], start="2013-01-01", freq="M",
        series_id="copper_output", indicator="output",
    )  # fmt: skip
    data = tmp_path / "data.csv"
    pd.concat([price, output]).to_csv(data, index=False)
    effect = supply_effect(data, DEFAULT_RULESET_PATH)
    assert effect["steps"] > 500
    assert 0 < effect["level_or_basis_changed"] <= effect["steps"]
    assert effect["supply_only_steps"] > 0  # output before the price series begins


def test_compare_puts_the_naive_peer_beside_each_rule_set(tmp_path: Path) -> None:
    from rules.backtest_goals import compare

    v = np.r_[np.full(300, 100.0), np.linspace(100, 200, 200), np.full(100, 200.0)]
    data = tmp_path / "data.csv"
    long_frame(v, start="2015-01-01").to_csv(data, index=False)
    table = compare(data, [DEFAULT_RULESET_PATH])
    assert table["rule_set"].tolist() == ["naive peer", "default-3.0"]
    assert (table["moves"] == table["moves"].iloc[0]).all()  # the same input, the same moves
    assert {"hit_rate", "calm_warned_share", "mean_changes_per_year"} <= set(table.columns)
