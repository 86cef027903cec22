"""The detector contract.

A detector computes one indicator for many series at once: it takes a *wide* frame (index:
the periods of one frequency, one column per series, NaN where a series has no value) and
returns a frame of indicator values, NaN where the history is too short. It never loops over
points in Python. It knows nothing about thresholds or levels: scoring is separate.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError


class Params(BaseModel):
    """Base of every detector's parameter model (unknown keys are errors)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Detector:
    """One indicator computed vectorised over all columns of a wide frame."""

    name: ClassVar[str]
    params_model: ClassVar[type[Params]] = Params
    unit: ClassVar[str] = ""  # "%" when values are percentages
    #: "" when the detector works on the native frequency; "M" when it aggregates to months.
    aggregates_to: ClassVar[str] = ""
    #: True for detectors that need several indicator kinds of one material (engine-level).
    cross: ClassVar[bool] = False
    #: What a cross detector's reasons are about, after the material's name (e.g. "price").
    subject: ClassVar[tuple[str, str]] = ("", "")
    #: Indicator kinds a cross detector combines (it gets their monthly values per material).
    kinds: ClassVar[tuple[str, ...]] = ()
    #: True when a % value reads as "45 % below the same weeks of earlier years" rather than
    #: "down 45 % year on year" (the phrase is then the comparison).
    comparative: ClassVar[bool] = False
    #: True when values are centred on zero (changes, z-scores): an ``up`` threshold must then
    #: be above 0 and a ``down`` threshold below 0. False for levels and percentiles.
    signed: ClassVar[bool] = True

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        self.params = self.params_model.model_validate(params or {})

    @classmethod
    def validate_params(cls, params: dict[str, Any]) -> None:
        """Raise ``ValueError`` naming the parameter when ``params`` is invalid."""
        try:
            cls.params_model.model_validate(params)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(x) for x in err["loc"])
            raise ValueError(f"params.{field}: {err['msg']}") from None

    def compute(self, wide: pd.DataFrame, freq: str) -> tuple[pd.DataFrame, str]:
        """Indicator values and the frequency their index is labelled in."""
        raise NotImplementedError

    def lookback_days(self, freq: str) -> int:
        """Calendar days of history one value needs (used to trim data for the latest step)."""
        raise NotImplementedError

    def describe(self, freq: str) -> tuple[str, str]:
        """What the value measures, as (Chinese, English) phrase fragments."""
        return self.name, self.name


#: Typical calendar days per period, for converting row counts to calendar look-backs.
PERIOD_DAYS: dict[str, float] = {"D": 1.5, "W": 7, "T": 10.2, "M": 30.5, "Q": 91.5, "Y": 366}


def rows_to_days(rows: int, freq: str) -> int:
    return int(np.ceil(rows * PERIOD_DAYS.get(freq, 31)))


def log_positive(frame: pd.DataFrame) -> pd.DataFrame:
    """Natural log of the positive values; NaN elsewhere."""
    return pd.DataFrame(
        np.log(frame.where(frame > 0).to_numpy(dtype=float)),
        index=frame.index,
        columns=frame.columns,
    )


def months_of(frame: pd.DataFrame) -> np.ndarray:
    """Calendar month (1-12) of each row of a frame with a DatetimeIndex."""
    return np.asarray(pd.DatetimeIndex(frame.index).month)


def monthly_means(wide: pd.DataFrame, freq: str) -> pd.DataFrame:
    """Monthly averages labelled by the month's first day; M series pass through."""
    if freq == "M":
        return wide
    if freq in ("Q", "Y"):
        return wide.iloc[0:0]
    out = wide.resample("MS").mean()
    # A month whose series has too few observations is not a monthly value.
    counts = wide.notna().resample("MS").sum()
    need = {"D": 8, "W": 2, "T": 2}.get(freq, 1)
    return out.where(counts >= need)


def expanding_same_month(values: pd.DataFrame) -> pd.DataFrame:
    """Group key (calendar month) for same-month comparisons on a monthly frame."""
    return pd.DataFrame(
        np.repeat(months_of(values)[:, None], values.shape[1], axis=1),
        index=values.index,
        columns=values.columns,
    )
