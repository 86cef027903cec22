"""Builders for the rules tests: small synthetic frames (a module, not a conftest, so that
the test directory needs no package name that would shadow the real `rules`)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def long_frame(
    values: np.ndarray | list[float],
    *,
    start: str = "2015-01-01",
    freq: str = "D",
    series_id: str = "copper_futures",
    material: str = "copper",
    indicator: str = "price",
) -> pd.DataFrame:
    """A long observation frame for one series (business days for D, month starts for M)."""
    n = len(values)
    alias = {"D": "B", "M": "MS", "W": "W-MON"}[freq]
    periods = pd.date_range(start, periods=n, freq=alias)
    return pd.DataFrame(
        {
            "series_id": series_id,
            "material": material,
            "indicator": indicator,
            "frequency": freq,
            "period": periods,
            "value": np.asarray(values, dtype=float),
            "unit": "CNY/t",
        }
    )


def wide_of(values: list[float], freq: str = "D", start: str = "2020-01-01") -> pd.DataFrame:
    alias = {"D": "B", "M": "MS"}[freq]
    idx = pd.date_range(start, periods=len(values), freq=alias)
    return pd.DataFrame({"s": np.asarray(values, dtype=float)}, index=idx)
