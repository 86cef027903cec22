"""Change over a horizon and cumulative move within a window (Chinese monitoring practice)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from rules.detectors.base import Detector, Params, rows_to_days

_HORIZON_WORDS: dict[tuple[str, int], tuple[str, str]] = {
    ("D", 1): ("日环比", "day on day"),
    ("W", 1): ("周环比", "week on week"),
    ("T", 1): ("旬环比", "on the previous ten days"),
    ("M", 1): ("环比", "month on month"),
    ("M", 3): ("三个月", "over three months"),
    ("M", 12): ("同比", "year on year"),
    ("Q", 4): ("同比", "year on year"),
    ("W", 52): ("同比", "year on year"),
    ("T", 36): ("同比", "year on year"),
}


class ChangeParams(Params):
    periods: int | None = Field(default=None, ge=1, le=5000)
    days: int | None = Field(default=None, ge=1, le=3660)

    @model_validator(mode="after")
    def _one(self) -> ChangeParams:
        if (self.periods is None) == (self.days is None):
            raise ValueError("give exactly one of 'periods' (rows) or 'days' (calendar days)")
        return self


class Change(Detector):
    """Percentage change against ``periods`` rows earlier or ``days`` calendar days ago."""

    name = "change"
    params_model = ChangeParams
    unit = "%"

    def compute(self, wide: pd.DataFrame, freq: str) -> tuple[pd.DataFrame, str]:
        p = self.params
        assert isinstance(p, ChangeParams)
        filled = wide.ffill(limit=_fill_limit(freq))
        if p.periods is not None:
            prev = filled.shift(p.periods)
        else:
            past = pd.DatetimeIndex(wide.index) - pd.Timedelta(days=p.days or 0)
            prev = filled.reindex(past, method="ffill")
            prev.index = wide.index
            # the history must reach back to the horizon
            valid = wide.notna().to_numpy()
            dates = np.asarray(wide.index, dtype="datetime64[ns]")
            first = np.where(valid.any(axis=0), dates[valid.argmax(axis=0)], np.datetime64("NaT"))
            too_early = ~(np.asarray(past, dtype="datetime64[ns]")[:, None] >= first[None, :])
            prev = prev.mask(too_early)
        out = (wide / prev - 1.0) * 100.0
        return out, freq

    def lookback_days(self, freq: str) -> int:
        p = self.params
        assert isinstance(p, ChangeParams)
        return p.days + 10 if p.days is not None else rows_to_days(p.periods or 1, freq) + 10

    def describe(self, freq: str) -> tuple[str, str]:
        p = self.params
        assert isinstance(p, ChangeParams)
        if p.days is not None:
            if 350 <= p.days <= 370:
                return "同比", "year on year"
            return f"{p.days}天内", f"over {p.days} days"
        rows = p.periods or 1
        if (freq, rows) in _HORIZON_WORDS:
            return _HORIZON_WORDS[(freq, rows)]
        if freq == "D":
            return f"{rows}个交易日内", f"over {rows} trading days"
        unit_zh = {"W": "周", "T": "旬", "M": "个月", "Q": "个季度", "Y": "年"}.get(freq, "期")
        unit_en = {
            "W": "weeks",
            "T": "ten-day periods",
            "M": "months",
            "Q": "quarters",
            "Y": "years",
        }.get(freq, "periods")
        return f"{rows}{unit_zh}内", f"over {rows} {unit_en}"


class WindowParams(Params):
    window: int | None = Field(default=None, ge=2, le=5000)
    days: int | None = Field(default=None, ge=2, le=3660)

    @model_validator(mode="after")
    def _one(self) -> WindowParams:
        if (self.window is None) == (self.days is None):
            raise ValueError("give exactly one of 'window' (rows) or 'days' (calendar days)")
        return self


class CumulativeMove(Detector):
    """Largest move within a window: rise from its low or fall from its high, in %.

    The sign tells which: a positive value is the rise from the window's lowest value, a
    negative one the fall from its highest, whichever is larger.
    """

    name = "cumulative_move"
    params_model = WindowParams
    unit = "%"

    def compute(self, wide: pd.DataFrame, freq: str) -> tuple[pd.DataFrame, str]:
        p = self.params
        assert isinstance(p, WindowParams)
        filled = wide.ffill(limit=_fill_limit(freq))
        if p.window is not None:
            roll = filled.rolling(p.window + 1, min_periods=p.window // 2 + 1)
        else:  # calendar window, including the value `days` ago
            roll = filled.rolling(f"{(p.days or 0) + 1}D", min_periods=1)
        rise = (filled / roll.min() - 1.0) * 100.0
        fall = (filled / roll.max() - 1.0) * 100.0
        out = rise.where(rise.abs() >= fall.abs(), fall)
        return out.where(wide.notna()), freq

    def lookback_days(self, freq: str) -> int:
        p = self.params
        assert isinstance(p, WindowParams)
        if p.days is not None:
            return p.days + 10
        return rows_to_days((p.window or 0) + 1, freq) + 10

    def describe(self, freq: str) -> tuple[str, str]:
        p = self.params
        assert isinstance(p, WindowParams)
        if p.days is not None:
            if 350 <= p.days <= 370:
                return "一年内累计", "within a year"
            return f"{p.days}天内累计", f"within {p.days} days"
        unit_zh, unit_en = ("个交易日", "trading days") if freq == "D" else ("期", "periods")
        return (f"{p.window}{unit_zh}内累计", f"cumulatively within {p.window} {unit_en}")


class Band(Detector):
    """The value itself, compared with absolute bands (e.g. a policy 'reasonable range')."""

    name = "band"
    params_model = Params
    signed = False

    def compute(self, wide: pd.DataFrame, freq: str) -> tuple[pd.DataFrame, str]:
        return wide.copy(), freq

    def lookback_days(self, freq: str) -> int:
        return 0

    def describe(self, freq: str) -> tuple[str, str]:
        return "水平", "level"


def _fill_limit(freq: str) -> int:
    return {"D": 7}.get(freq, 1)
