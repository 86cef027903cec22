"""Term structure and basis against their own recent norm, in robust standard deviations.

A near-far spread (backwardation +, contango -) or a spot-futures basis (spot premium +) has
a level that differs by market: iron ore sits in backwardation most of the time, copper near
flat. So the reading is how far the (smoothed) rate is from its own median of the past year,
in units of its median absolute deviation: a generic scale for every market, with no
per-material threshold to fit.
"""

from __future__ import annotations

import pandas as pd
from pydantic import Field

from rules.detectors.base import Detector, Params, rows_to_days

#: 1.4826 x MAD estimates the standard deviation of normally distributed values.
MAD_TO_STD = 1.4826


class RateAnomalyParams(Params):
    #: observations averaged before comparing (a day's spread is noisy)
    smooth: int = Field(default=5, ge=1, le=60)
    #: observations of history the norm is taken from (about a year of trading days)
    window: int = Field(default=250, ge=20, le=2000)
    min_periods: int = Field(default=120, ge=10)
    #: floor of the scale, in the rate's own unit (percentage points)
    floor: float = Field(default=0.1, gt=0, le=10)


class RateAnomaly(Detector):
    """(smoothed rate - median of the past ``window``) / (1.4826 x MAD), signed."""

    name = "rate_anomaly"
    params_model = RateAnomalyParams

    def compute(self, wide: pd.DataFrame, freq: str) -> tuple[pd.DataFrame, str]:
        p = self.params
        assert isinstance(p, RateAnomalyParams)
        x = wide.ffill(limit=7 if freq == "D" else 1)
        smooth = x.rolling(p.smooth, min_periods=max(1, p.smooth // 2 + 1)).mean()
        past = smooth.shift(p.smooth)  # the norm ends before the smoothed stretch begins
        roll = past.rolling(p.window, min_periods=p.min_periods)
        median = roll.median()
        mad = (past - median).abs().rolling(p.window, min_periods=p.min_periods).median()
        scale = (MAD_TO_STD * mad).clip(lower=p.floor)
        out = (smooth - median) / scale
        return out.where(wide.notna()), freq

    def lookback_days(self, freq: str) -> int:
        p = self.params
        assert isinstance(p, RateAnomalyParams)
        return rows_to_days(2 * p.window + 2 * p.smooth, freq)

    def describe(self, freq: str) -> tuple[str, str]:
        return "偏离一年常态（标准差倍数）", "standard deviations from its one-year norm"
