"""Stocks and output against their seasonal norm, and stocks' change over weeks.

Warehouse stocks and output are seasonal (exchange warrants are cancelled in set months;
construction stops over Spring Festival), so they are compared with the same weeks or months
of earlier years, not with the weeks just before. Daily stocks are read as the last value of
each week (a stock is a level at a point in time).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field

from rules.detectors.base import Detector, Params

#: Periods in a year, per the frequency a seasonal comparison runs on.
PER_YEAR = {"W": 52, "M": 12}


def to_period(wide: pd.DataFrame, freq: str) -> tuple[pd.DataFrame, str]:
    """Weekly last values (period = Monday) for D and W input; monthly as it is; complete
    index, so that shifting by rows is shifting by periods."""
    if freq == "D":
        weekly = wide.resample("W-MON", label="left", closed="left").last()
        return weekly, "W"
    if freq in ("W", "M"):
        alias = {"W": "W-MON", "M": "MS"}[freq]
        idx = pd.DatetimeIndex(wide.index)
        if len(idx) == 0:
            return wide, freq
        return wide.reindex(pd.date_range(idx.min(), idx.max(), freq=alias)), freq
    raise ValueError(f"seasonal comparisons need D, W or M series, not {freq}")


def seasonal_norm(
    x: pd.DataFrame, per_year: int, years: int, min_years: int, window: int
) -> pd.DataFrame:
    """Mean of the same periods (± ``window``) of the ``years`` years before each period.

    A year counts when it has a value within the window; at least ``min_years`` must.
    """
    arr = x.to_numpy(dtype=float)
    total = np.zeros_like(arr)
    count = np.zeros_like(arr)
    for k in range(1, years + 1):
        near = _same_time(arr, k, per_year, window)
        n_near = (~np.isnan(near)).sum(axis=0)
        year_sum = np.nansum(near, axis=0)
        has = n_near > 0
        total += np.where(has, year_sum / np.maximum(n_near, 1), 0.0)
        count += has
    norm = np.where(count >= min_years, total / np.maximum(count, 1), np.nan)
    return pd.DataFrame(norm, index=x.index, columns=x.columns)


def seasonal_rank(
    x: pd.DataFrame, per_year: int, years: int, min_years: int, window: int
) -> pd.DataFrame:
    """Percentile (0-100) of each value among the same periods (± ``window``) of the
    ``years`` years before it; ties count half. At least ``min_years`` years must have data.
    """
    arr = x.to_numpy(dtype=float)
    below = np.zeros_like(arr)
    seen = np.zeros_like(arr)
    years_seen = np.zeros_like(arr)
    for k in range(1, years + 1):
        near = _same_time(arr, k, per_year, window)
        valid = ~np.isnan(near)
        below += ((near < arr) + 0.5 * (near == arr)).sum(axis=0)
        seen += valid.sum(axis=0)
        years_seen += valid.any(axis=0)
    ok = (years_seen >= min_years) & ~np.isnan(arr)
    rank = np.where(ok, 100.0 * below / np.maximum(seen, 1), np.nan)
    return pd.DataFrame(rank, index=x.index, columns=x.columns)


def _same_time(arr: np.ndarray, years_back: int, per_year: int, window: int) -> np.ndarray:
    """(2 x window + 1, rows, cols): the values around the same period ``years_back`` earlier."""
    lags = [years_back * per_year + j for j in range(-window, window + 1)]
    return np.stack([_shift(arr, lag) for lag in lags])


def _shift(arr: np.ndarray, rows: int) -> np.ndarray:
    """Rows shifted down by ``rows`` (the value ``rows`` periods earlier), NaN-padded."""
    out = np.full_like(arr, np.nan)
    if 0 < rows < len(arr):
        out[rows:] = arr[:-rows]
    elif rows == 0:
        out[:] = arr
    return out


class SeasonalParams(Params):
    years: int = Field(default=5, ge=1, le=20)
    min_years: int = Field(default=2, ge=1, le=20)
    #: periods either side of the same week or month that count as "the same time of year"
    window: int | None = Field(default=None, ge=0, le=8)


class SeasonalNorm(Detector):
    """% above (+) or below (-) the mean of the same weeks (or months) of earlier years.

    Weekly for daily or weekly series (stocks: the week's last value), monthly for monthly
    series (output). A norm of zero or less gives no value.
    """

    name = "seasonal_norm"
    params_model = SeasonalParams
    unit = "%"
    comparative = True

    def compute(self, wide: pd.DataFrame, freq: str) -> tuple[pd.DataFrame, str]:
        p = self.params
        assert isinstance(p, SeasonalParams)
        x, out_freq = to_period(wide, freq)
        window = p.window if p.window is not None else (2 if out_freq == "W" else 0)
        norm = seasonal_norm(x, PER_YEAR[out_freq], p.years, p.min_years, window)
        out = (x / norm.where(norm > 0) - 1.0) * 100.0
        return out, out_freq

    def lookback_days(self, freq: str) -> int:
        p = self.params
        assert isinstance(p, SeasonalParams)
        return 366 * p.years + 45

    def describe(self, freq: str) -> tuple[str, str]:
        if freq == "M":
            return "较往年同月", "the same months of earlier years"
        return "较往年同期", "the same weeks of earlier years"


class SeasonalRank(Detector):
    """Percentile (0-100) of the value among the same weeks (or months) of earlier years.

    For warehouse warrants, whose level swings from zero to many times its mean, a rank is
    the robust reading: "lower than in any of the same weeks of the last five years" is 0.
    """

    name = "seasonal_rank"
    params_model = SeasonalParams
    signed = False

    def compute(self, wide: pd.DataFrame, freq: str) -> tuple[pd.DataFrame, str]:
        p = self.params
        assert isinstance(p, SeasonalParams)
        x, out_freq = to_period(wide, freq)
        window = p.window if p.window is not None else (2 if out_freq == "W" else 0)
        return seasonal_rank(x, PER_YEAR[out_freq], p.years, p.min_years, window), out_freq

    def lookback_days(self, freq: str) -> int:
        p = self.params
        assert isinstance(p, SeasonalParams)
        return 366 * p.years + 45

    def describe(self, freq: str) -> tuple[str, str]:
        if freq == "M":
            return "在往年同月中的百分位", "percentile among the same months of earlier years"
        return "在往年同期中的百分位", "percentile among the same weeks of earlier years"


class StockChangeParams(Params):
    weeks: int = Field(default=4, ge=1, le=26)
    #: weeks of history whose mean scales the change (robust to stocks of zero)
    scale_weeks: int = Field(default=52, ge=4, le=260)
    period: Literal["W"] = "W"


class StockChange(Detector):
    """Change of the stock over ``weeks`` weeks, as % of its mean over the past year.

    A warrant stock can be zero, so a plain % change is often undefined; the change scaled by
    the year's mean says how large the move is for this market.
    """

    name = "stock_change"
    params_model = StockChangeParams
    unit = "%"

    def compute(self, wide: pd.DataFrame, freq: str) -> tuple[pd.DataFrame, str]:
        p = self.params
        assert isinstance(p, StockChangeParams)
        x, out_freq = to_period(wide, freq)
        if out_freq != "W":
            raise ValueError("stock_change runs on daily or weekly stocks")
        scale = x.shift(1).rolling(p.scale_weeks, min_periods=p.scale_weeks // 2).mean()
        change = x - x.shift(p.weeks)
        return change / scale.where(scale > 0) * 100.0, "W"

    def lookback_days(self, freq: str) -> int:
        p = self.params
        assert isinstance(p, StockChangeParams)
        return 7 * (p.scale_weeks + p.weeks + 2)

    def describe(self, freq: str) -> tuple[str, str]:
        p = self.params
        assert isinstance(p, StockChangeParams)
        return (
            f"近{p.weeks}周（按一年均值计）",
            f"over {p.weeks} weeks, as a share of its one-year mean",
        )
