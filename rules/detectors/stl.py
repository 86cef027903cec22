"""STL residual z-score (statsmodels), on monthly averages, refitted on a trailing window.

Each month's residual comes from an STL fitted on the ``window`` months ending at that month
(the end-point residual), so no value uses data from after it. That is one fit per series per
month: correct but not cheap, so the default rule set pairs the cheaper level-shift check
with price momentum instead. STL absorbs a lasting shift into its trend; pair it with
``level_shift``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import Field

from rules.detectors.base import Detector, Params, log_positive
from rules.detectors.fao import _monthly_complete


class StlParams(Params):
    window: int = Field(default=60, ge=25, le=600)
    refit_every: int = Field(default=1, ge=1, le=24)


class StlResidual(Detector):
    """End-point STL residual divided by the residuals' standard deviation (log values)."""

    name = "stl_residual"
    params_model = StlParams
    aggregates_to = "M"

    def compute(self, wide: pd.DataFrame, freq: str) -> tuple[pd.DataFrame, str]:
        p = self.params
        assert isinstance(p, StlParams)
        m = log_positive(_monthly_complete(wide, freq))
        out = pd.DataFrame(np.nan, index=m.index, columns=m.columns)
        for col in m.columns:  # one series at a time: statsmodels' STL is univariate
            out[col] = _endpoint_z(m[col], p.window, p.refit_every)
        return out, "M"

    def lookback_days(self, freq: str) -> int:
        p = self.params
        assert isinstance(p, StlParams)
        return 31 * (p.window + 1)

    def describe(self, freq: str) -> tuple[str, str]:
        return "STL残差（标准差倍数）", "STL residual in standard deviations"


def _endpoint_z(s: pd.Series, window: int, every: int) -> pd.Series:
    from statsmodels.tsa.seasonal import STL  # imported here: only rule sets using STL need it

    vals = s.to_numpy()
    out = np.full(len(vals), np.nan)
    for end in range(window, len(vals) + 1, every):
        seg = pd.Series(vals[end - window : end]).interpolate(limit_direction="both")
        if seg.isna().any() or np.isnan(vals[end - 1]):
            continue
        res = STL(seg.to_numpy(), period=12, robust=True).fit().resid
        sd = np.std(res[:-1])
        if sd > 0:
            out[end - 1] = res[-1] / sd
    return pd.Series(out, index=s.index)
