"""FAO Indicator of Food Price Anomalies (IFPA, SDG 2.c.1) and WFP's ALPS, on monthly values."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import Field

from rules.detectors.base import Detector, Params, monthly_means, months_of


class IfpaParams(Params):
    min_years: int = Field(default=4, ge=2, le=50)
    w_quarterly: float = Field(default=0.4, ge=0, le=1)


def compound_growth(monthly: pd.DataFrame, n: int) -> pd.DataFrame:
    """CGR = (P_t / P_{t-n})^(1/n) - 1 on a complete monthly index."""
    return (monthly / monthly.shift(n)) ** (1.0 / n) - 1.0


def same_month_weighted_z(cgr: pd.DataFrame, min_years: int) -> pd.DataFrame:
    """z of each value against the same calendar month in *earlier* years.

    Year j of the J earlier years (oldest j = 1) has weight j / sum(j); the standard
    deviation is the weighted one, sqrt(sum w (x - mean)^2). Needs ``min_years`` earlier years.
    Computed with cumulative sums per calendar month, so it is vectorised over all series.
    """
    month = months_of(cgr)
    valid = cgr.notna()
    x = cgr.fillna(0.0)
    j = valid.astype(float).groupby(month).cumsum().where(valid)  # rank of this year, 1 = oldest
    jx = (j * x).fillna(0.0)
    jxx = (j * x * x).fillna(0.0)
    # sums over earlier years only: cumulative sums shifted by one same-month step
    s_w = valid.astype(float).groupby(month).cumsum() - valid.astype(float)  # J = earlier years
    s_jx = jx.groupby(month).cumsum() - jx
    s_jxx = jxx.groupby(month).cumsum() - jxx
    sum_j = s_w * (s_w + 1.0) / 2.0
    mean = s_jx / sum_j
    var = (s_jxx / sum_j - mean**2).clip(lower=0.0)
    std = var.pow(0.5)
    z = (cgr - mean) / std.where(std > 0)
    return z.where(s_w >= min_years)


def _monthly_complete(wide: pd.DataFrame, freq: str) -> pd.DataFrame:
    m = monthly_means(wide, freq)
    if m.empty:
        return m
    full = pd.date_range(m.index.min(), m.index.max(), freq="MS")
    return m.reindex(full)


class Ifpa(Detector):
    """IFPA = 0.4 z(CQGR) + 0.6 z(CAGR), exactly as FAO publishes it, on monthly averages."""

    name = "ifpa"
    params_model = IfpaParams
    aggregates_to = "M"

    def compute(self, wide: pd.DataFrame, freq: str) -> tuple[pd.DataFrame, str]:
        p = self.params
        assert isinstance(p, IfpaParams)
        m = _monthly_complete(wide, freq)
        zq = same_month_weighted_z(compound_growth(m, 3), p.min_years)
        za = same_month_weighted_z(compound_growth(m, 12), p.min_years)
        return p.w_quarterly * zq + (1.0 - p.w_quarterly) * za, "M"

    def lookback_days(self, freq: str) -> int:
        p = self.params
        assert isinstance(p, IfpaParams)
        return 366 * (p.min_years + 2)

    def describe(self, freq: str) -> tuple[str, str]:
        return "FAO价格异常指数(IFPA)", "FAO price anomaly indicator (IFPA)"


class AlpsParams(Params):
    window_years: int = Field(default=10, ge=3, le=50)
    min_years: int = Field(default=3, ge=2, le=50)
    min_share: float = Field(default=0.7, gt=0, le=1)


class Alps(Detector):
    """WFP ALPS: (P - P_hat) / std of residuals; P_hat from a regression of price on a linear
    trend plus month dummies, fitted on the ``window_years`` before each month (no look-ahead).

    The regression is solved in closed form from rolling sums per calendar month (the
    within-month estimator is the dummy-variable OLS), so it is vectorised over all series.
    Needs ``min_years`` years with at least ``min_share`` of months present.
    """

    name = "alps"
    params_model = AlpsParams
    aggregates_to = "M"

    def compute(self, wide: pd.DataFrame, freq: str) -> tuple[pd.DataFrame, str]:
        p = self.params
        assert isinstance(p, AlpsParams)
        m = _monthly_complete(wide, freq)
        if m.empty:
            return m, "M"
        t = np.arange(len(m), dtype=float)
        tot = {k: np.zeros(m.shape) for k in ("n", "sxx", "stx", "stt")}
        mean_x = np.full(m.shape, np.nan)
        mean_t = np.full(m.shape, np.nan)
        months = months_of(m)
        for mo in range(1, 13):  # twelve calendar months, each vectorised over rows and series
            s = _month_sums(m, t, months == mo, p.window_years)
            n = s["n"]
            with np.errstate(invalid="ignore", divide="ignore"):
                mx, mt = s["sx"] / n, s["st"] / n
                ok = n > 0
                tot["n"] += np.where(ok, n, 0.0)
                tot["sxx"] += np.where(ok, s["sxx"] - s["sx"] * mx, 0.0)
                tot["stx"] += np.where(ok, s["stx"] - s["st"] * mx, 0.0)
                tot["stt"] += np.where(ok, s["stt"] - s["st"] * mt, 0.0)
            here = (months == mo)[:, None]
            mean_x = np.where(here, mx, mean_x)
            mean_t = np.where(here, mt, mean_t)
        with np.errstate(invalid="ignore", divide="ignore"):
            beta = tot["stx"] / tot["stt"]
            ssr = np.clip(tot["sxx"] - beta * tot["stx"], 0.0, None)
            sigma = np.sqrt(ssr / (tot["n"] - 13.0))
            pred = mean_x + beta * (t[:, None] - mean_t)
            alps = (m.to_numpy() - pred) / sigma
        enough = tot["n"] >= 12 * p.min_years * p.min_share
        out = np.where(enough & (sigma > 0), alps, np.nan)
        return pd.DataFrame(out, index=m.index, columns=m.columns), "M"

    def lookback_days(self, freq: str) -> int:
        p = self.params
        assert isinstance(p, AlpsParams)
        return 366 * (p.window_years + 1)

    def describe(self, freq: str) -> tuple[str, str]:
        return "WFP价格预警指数(ALPS)", "WFP price spike alert (ALPS)"


def _month_sums(
    m: pd.DataFrame, t: np.ndarray, rows: np.ndarray, years: int
) -> dict[str, np.ndarray]:
    """Rolling sums over the last ``years`` values of one calendar month, known before each row."""
    x = m[rows]
    valid = x.notna()
    tx = pd.DataFrame(np.where(valid, t[rows][:, None], np.nan), index=x.index, columns=x.columns)
    parts = {
        "n": valid.astype(float),
        "sx": x,
        "st": tx,
        "stx": tx * x,
        "stt": tx * tx,
        "sxx": x * x,
    }
    out = {}
    for key, frame in parts.items():
        summed = frame.rolling(years, min_periods=1).sum()
        # as known before each row of the full index: last same-month value strictly earlier
        out[key] = summed.reindex(m.index).ffill().shift(1).fillna(0.0).to_numpy()
    return out
