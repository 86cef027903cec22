"""Deviation from the series' own history: rolling z-score, percentile, level shift."""

from __future__ import annotations

import pandas as pd
from pydantic import Field

from rules.detectors.base import Detector, Params, log_positive, rows_to_days


class HistoryParams(Params):
    window: int = Field(default=750, ge=3, le=10000)
    min_periods: int = Field(default=250, ge=3)
    log: bool = True


class ZScore(Detector):
    """(value - mean) / std of the previous ``window`` values (log values by default)."""

    name = "zscore"
    params_model = HistoryParams

    def compute(self, wide: pd.DataFrame, freq: str) -> tuple[pd.DataFrame, str]:
        p = self.params
        assert isinstance(p, HistoryParams)
        x = log_positive(wide) if p.log else wide
        x = x.ffill(limit=7 if freq == "D" else 1)
        past = x.shift(1).rolling(p.window, min_periods=p.min_periods)
        std = past.std()
        out = (x - past.mean()) / std.where(std > 0)
        return out.where(wide.notna()), freq

    def lookback_days(self, freq: str) -> int:
        p = self.params
        assert isinstance(p, HistoryParams)
        return rows_to_days(p.window + 1, freq)

    def describe(self, freq: str) -> tuple[str, str]:
        return "偏离历史均值（标准差倍数）", "standard deviations from its recent history"


class Percentile(Detector):
    """Percentile rank (0-100) of the value within the last ``window`` values, itself included."""

    name = "percentile"
    params_model = HistoryParams
    signed = False

    def compute(self, wide: pd.DataFrame, freq: str) -> tuple[pd.DataFrame, str]:
        p = self.params
        assert isinstance(p, HistoryParams)
        x = wide.ffill(limit=7 if freq == "D" else 1)
        rank = x.rolling(p.window, min_periods=p.min_periods).rank(pct=True)
        return (rank * 100.0).where(wide.notna()), freq

    def lookback_days(self, freq: str) -> int:
        p = self.params
        assert isinstance(p, HistoryParams)
        return rows_to_days(p.window, freq)

    def describe(self, freq: str) -> tuple[str, str]:
        return "处于历史分位", "percentile of its recent history"


class LevelShiftParams(Params):
    window: int = Field(default=20, ge=2, le=2000)


class LevelShift(Detector):
    """Level-shift check: mean of the last ``window`` values against the ``window`` before,
    in units of the earlier window's standard deviation (log values).

    STL absorbs a lasting shift into its trend; this check catches it.
    """

    name = "level_shift"
    params_model = LevelShiftParams

    def compute(self, wide: pd.DataFrame, freq: str) -> tuple[pd.DataFrame, str]:
        p = self.params
        assert isinstance(p, LevelShiftParams)
        x = log_positive(wide).ffill(limit=7 if freq == "D" else 1)
        recent = x.rolling(p.window, min_periods=p.window).mean()
        before = x.shift(p.window).rolling(p.window, min_periods=p.window)
        std = before.std()
        floor = 0.005  # half a percent: a flat stretch is not an infinite shift
        out = (recent - before.mean()) / std.clip(lower=floor)
        return out.where(wide.notna()), freq

    def lookback_days(self, freq: str) -> int:
        p = self.params
        assert isinstance(p, LevelShiftParams)
        return rows_to_days(2 * p.window + 1, freq)

    def describe(self, freq: str) -> tuple[str, str]:
        return "水平突变（标准差倍数）", "level shift in standard deviations"
