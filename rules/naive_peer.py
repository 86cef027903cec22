"""The naive peer of issue 19: what a desk could do with a spreadsheet, to compare rules with.

For each price series of a material, its monthly means; the *move* of a month is the larger of
the year-on-year change and twice the three-month change (both in %, absolute), signed by the
larger of the two. The level is blue from 20 %, yellow from 35 %, red from 50 %. A material
takes its worst series (the one with the largest move). A month's level is
known at its last day, so each step is dated the month's last calendar day.

Output: the backtest's level frame (``material, period, level, direction``), scored by
:func:`rules.backtest_goals.score_backtest` on the same input as the rule sets.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vocabulary import Level

#: (threshold in %, level), least severe first.
THRESHOLDS: tuple[tuple[float, Level], ...] = (
    (20.0, Level.BLUE),
    (35.0, Level.YELLOW),
    (50.0, Level.RED),
)
LEVEL_NAMES = np.array(
    [Level.NORMAL.value] + [level.value for _, level in THRESHOLDS], dtype=object
)
COLUMNS = ["material", "period", "level", "direction"]


def series_moves(prices: pd.Series) -> pd.DataFrame:
    """Monthly move (%, signed) of one price series, indexed by month start; NaN where
    neither the year-on-year nor the three-month change can be computed."""
    m = prices.resample("MS").mean().dropna()
    m = m.reindex(pd.date_range(m.index.min(), m.index.max(), freq="MS")) if len(m) else m
    yoy = (m / m.shift(12) - 1.0) * 100.0
    q3 = 2.0 * (m / m.shift(3) - 1.0) * 100.0
    use_yoy = yoy.abs().fillna(-1.0) >= q3.abs().fillna(-1.0)
    move = yoy.where(use_yoy, q3).round(9)  # 20 % is 20 %, not 19.999999999999996
    return pd.DataFrame({"move": move}).dropna()


def material_levels(series: list[pd.Series]) -> pd.DataFrame:
    """One material's naive level per month from its price series (the worst one)."""
    moves = [series_moves(s)["move"].rename(i) for i, s in enumerate(series)]
    moves = [m for m in moves if len(m)]
    if not moves:
        return pd.DataFrame(columns=["period", "level", "direction", "move"])
    wide = pd.concat(moves, axis=1)
    size = wide.abs().to_numpy()
    worst = np.nanargmax(np.where(np.isnan(size), -1.0, size), axis=1)
    move = wide.to_numpy()[np.arange(len(wide)), worst]
    code = np.zeros(len(move), dtype=np.int64)
    for i, (threshold, _) in enumerate(THRESHOLDS, start=1):
        code = np.where(np.abs(move) >= threshold, i, code)
    direction = np.where(code > 0, np.where(move > 0, "up", "down"), "")
    month_end = pd.DatetimeIndex(wide.index).to_period("M").to_timestamp(how="end").normalize()
    return pd.DataFrame(
        {"period": month_end, "level": LEVEL_NAMES[code], "direction": direction, "move": move}
    )


def naive_levels(observations: pd.DataFrame) -> pd.DataFrame:
    """The naive peer's levels of every material with price series (see the module doc)."""
    obs = observations[observations["indicator"] == "price"]
    frames = []
    for material, group in obs.groupby("material", observed=True):
        series = [
            pd.Series(g["value"].to_numpy(float), index=pd.DatetimeIndex(g["period"]))
            .sort_index()
            .dropna()
            for _, g in group.groupby("series_id", observed=True)
        ]
        levels = material_levels(series)
        frames.append(levels.assign(material=str(material))[COLUMNS])
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(frames, ignore_index=True)
