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

from rules.detectors.base import Detector, Params

#: 1.4826 x MAD estimates the standard deviation of normally distributed values.
MAD_TO_STD = 1.4826


class RateAnomalyParams(Params):
    #: calendar days averaged before comparing (a day's spread is noisy)
    smooth_days: int = Field(default=7, ge=1, le=90)
    #: calendar days of history the norm is taken from
    days: int = Field(default=365, ge=30, le=3660)
    #: share of the observations expected in ``days`` that must be there
    min_share: float = Field(default=0.5, gt=0, le=1)
    #: floor of the scale, in the rate's own unit (percentage points)
    floor: float = Field(default=0.1, gt=0, le=10)


#: Observations per calendar day, by frequency (trading days for daily series).
PER_DAY = {"D": 250 / 365, "W": 1 / 7, "T": 1 / 10.2, "M": 1 / 30.5}


class RateAnomaly(Detector):
    """(smoothed rate - its median over the past ``days``) / (1.4826 x MAD), signed.

    Windows are given in calendar days and turned into observations at the series'
    frequency (250 trading days a year), so a daily series and its weekly copy read alike.
    The MAD is the running median of the absolute deviations from the running median. The
    norm moves slowly, so it is taken on every ``smooth_days``-th smoothed value (weekly for
    a daily series) and carried forward to the days between.
    """

    name = "rate_anomaly"
    params_model = RateAnomalyParams

    def compute(self, wide: pd.DataFrame, freq: str) -> tuple[pd.DataFrame, str]:
        p = self.params
        assert isinstance(p, RateAnomalyParams)
        x = wide.ffill(limit=7 if freq == "D" else 1)
        per_day = PER_DAY.get(freq, 1 / 30.5)
        smooth_rows = max(1, round(p.smooth_days * per_day))
        rows = max(3, round(p.days * per_day))
        least = max(3, int(p.min_share * rows))
        smooth = x.rolling(smooth_rows, min_periods=1).mean()
        sampled = smooth.iloc[::smooth_rows]
        n, k = max(3, rows // smooth_rows), max(3, least // smooth_rows)
        median = sampled.rolling(n, min_periods=k).median().shift(1)
        mad = (sampled - median).abs().rolling(n, min_periods=k).median().shift(1)
        median = median.reindex(smooth.index).ffill(limit=smooth_rows)
        mad = mad.reindex(smooth.index).ffill(limit=smooth_rows)
        scale = (MAD_TO_STD * mad).clip(lower=p.floor)
        out = (smooth - median) / scale
        return out.where(wide.notna()), freq

    def lookback_days(self, freq: str) -> int:
        p = self.params
        assert isinstance(p, RateAnomalyParams)
        return 2 * p.days + p.smooth_days + 10

    def describe(self, freq: str) -> tuple[str, str]:
        return "偏离一年常态（标准差倍数）", "standard deviations from its one-year norm"
