"""Forecast exceedance: is the month's value outside the 95 % prediction interval of a
SARIMAX forecast made before it was known?

Cheap by design: monthly averages, log values, an ARIMA(1,1,0) whose parameters are re-estimated
every ``refit_every`` months on the data before that point; between refits the fitted model is
applied to the new data with fixed parameters, so each one-step forecast uses only earlier
values. The value is (actual - forecast) / forecast standard error: |value| > 1.96 means outside
the 95 % interval.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from pydantic import Field

from rules.detectors.base import Detector, Params, log_positive
from rules.detectors.fao import _monthly_complete


class ForecastParams(Params):
    min_months: int = Field(default=36, ge=12, le=600)
    refit_every: int = Field(default=12, ge=1, le=120)


class ForecastExceedance(Detector):
    """Standardised one-step forecast error of an ARIMA(1,1,0) on log monthly averages."""

    name = "forecast_exceedance"
    params_model = ForecastParams
    aggregates_to = "M"

    def compute(self, wide: pd.DataFrame, freq: str) -> tuple[pd.DataFrame, str]:
        p = self.params
        assert isinstance(p, ForecastParams)
        m = log_positive(_monthly_complete(wide, freq))
        out = pd.DataFrame(np.nan, index=m.index, columns=m.columns)
        for col in m.columns:  # statsmodels fits one series at a time
            out[col] = _one_step_z(m[col], p.min_months, p.refit_every)
        return out, "M"

    def lookback_days(self, freq: str) -> int:
        p = self.params
        assert isinstance(p, ForecastParams)
        return 31 * (p.min_months + p.refit_every + 1)

    def describe(self, freq: str) -> tuple[str, str]:
        return "偏离预测（预测标准误倍数）", "forecast errors from the model's prediction"


def _one_step_z(s: pd.Series, min_months: int, every: int) -> pd.Series:
    # imported here: statsmodels' state-space module takes ~2 s to import, and only rule
    # sets that use this detector need it
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    y = s.to_numpy()
    out = np.full(len(y), np.nan)
    first = int(np.argmax(~np.isnan(y))) if (~np.isnan(y)).any() else len(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fit_end in range(first + min_months, len(y), every):
            train = y[first:fit_end]
            if np.isnan(train).mean() > 0.3:
                continue
            res = SARIMAX(train, order=(1, 1, 0)).fit(disp=False)
            stop = min(fit_end + every, len(y))
            applied = res.apply(y[first:stop])
            pred = applied.get_prediction(start=fit_end - first, end=stop - first - 1)
            mean, se = pred.predicted_mean, np.sqrt(pred.var_pred_mean)
            out[fit_end:stop] = (y[fit_end:stop] - mean) / np.where(se > 0, se, np.nan)
    return pd.Series(out, index=s.index)
