"""Volatility: IFPRI-style count of extreme returns with a binomial test, and rolling
volatility against its own history. Both are signed by the direction of the recent move."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import Field

from rules.detectors.base import Detector, Params, log_positive, rows_to_days


class IfpriParams(Params):
    window: int = Field(default=60, ge=10, le=1000)
    quantile: float = Field(default=0.95, gt=0.5, lt=1)
    history: int = Field(default=750, ge=60, le=10000)
    min_history: int = Field(default=250, ge=30)


class IfpriVolatility(Detector):
    """-log10 p of a binomial test on the count of extreme daily returns in ``window`` days.

    A return is extreme when its absolute value exceeds the ``quantile`` of absolute returns
    over the ``history`` before the window. p <= 0.025 (IFPRI's red) is a value of 1.6.
    The sign is the sign of the return over the window.
    """

    name = "ifpri_volatility"
    params_model = IfpriParams

    def compute(self, wide: pd.DataFrame, freq: str) -> tuple[pd.DataFrame, str]:
        p = self.params
        assert isinstance(p, IfpriParams)
        x = log_positive(wide).ffill(limit=7)
        r = x.diff().abs()
        # history quantile approximated by mean + k*std of |r| is biased on fat tails;
        # use the empirical quantile of the history ending before the window.
        thr = r.rolling(p.history, min_periods=p.min_history).quantile(p.quantile).shift(p.window)
        extreme = (r > thr).astype(float).where(thr.notna())
        count = extreme.rolling(p.window, min_periods=p.window).sum()
        from scipy import stats  # here: scipy.stats takes half a second to import

        pval = stats.binom.sf(count.to_numpy() - 1.0, p.window, 1.0 - p.quantile)
        score = -np.log10(np.clip(pval, 1e-12, 1.0))
        sign = np.sign((x - x.shift(p.window)).to_numpy())
        sign[sign == 0] = 1.0
        out = pd.DataFrame(score * sign, index=wide.index, columns=wide.columns)
        return out.where(count.notna() & wide.notna()), freq

    def lookback_days(self, freq: str) -> int:
        p = self.params
        assert isinstance(p, IfpriParams)
        return rows_to_days(p.history + p.window + 1, freq)

    def describe(self, freq: str) -> tuple[str, str]:
        p = self.params
        assert isinstance(p, IfpriParams)
        return (
            f"近{p.window}日极端波动显著性(-log10 p)",
            f"extreme-return significance over {p.window} days (-log10 p)",
        )


class VolRatioParams(Params):
    window: int = Field(default=20, ge=5, le=500)
    history: int = Field(default=750, ge=60, le=10000)
    min_history: int = Field(default=250, ge=30)


class VolatilityRatio(Detector):
    """Rolling volatility of log returns over ``window`` divided by its median over ``history``,
    signed by the direction of the move over the window."""

    name = "volatility_ratio"
    params_model = VolRatioParams

    def compute(self, wide: pd.DataFrame, freq: str) -> tuple[pd.DataFrame, str]:
        p = self.params
        assert isinstance(p, VolRatioParams)
        x = log_positive(wide).ffill(limit=7 if freq == "D" else 1)
        vol = x.diff().rolling(p.window, min_periods=p.window).std()
        base = vol.shift(p.window).rolling(p.history, min_periods=p.min_history).mean()
        ratio = vol / base.where(base > 0)
        move = x - x.shift(p.window)
        sign = move.where(move == 0, move / move.abs()).replace(0.0, 1.0)
        return (ratio * sign).where(wide.notna()), freq

    def lookback_days(self, freq: str) -> int:
        p = self.params
        assert isinstance(p, VolRatioParams)
        return rows_to_days(p.history + 2 * p.window + 1, freq)

    def describe(self, freq: str) -> tuple[str, str]:
        return "波动率为历史常态的倍数", "times its usual volatility"
