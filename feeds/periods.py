"""Periods: normalising a date to the period it names, for each frequency.

A period is stored as its first day (see docs/contracts.md): daily = the date itself,
weekly = the Monday of the ISO week, ten-day (T) = the 1st, 11th or 21st, monthly = the 1st
of the month, quarterly = the 1st of the quarter, yearly = 1 January.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from vocabulary import FREQUENCIES, FREQUENCY_NAMES

__all__ = ["FREQUENCIES", "FREQUENCY_NAMES", "normalise_period", "normalise_periods"]


def normalise_period(day: date, frequency: str) -> date:
    """Return the first day of the period of ``frequency`` that contains ``day``."""
    if frequency == "D":
        return day
    if frequency == "W":
        return day - timedelta(days=day.weekday())
    if frequency == "T":
        return day.replace(day=1 if day.day <= 10 else 11 if day.day <= 20 else 21)
    if frequency == "M":
        return day.replace(day=1)
    if frequency == "Q":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if frequency == "Y":
        return date(day.year, 1, 1)
    raise ValueError(f"unknown frequency {frequency!r}; expected one of {', '.join(FREQUENCIES)}")


def normalise_periods(days: pd.Series, frequencies: pd.Series) -> pd.Series:
    """Vectorised :func:`normalise_period` over datetime64 ``days`` and their ``frequencies``."""
    days = pd.to_datetime(days)
    result = days.copy()
    weekly = frequencies == "W"
    result[weekly] = days[weekly] - pd.to_timedelta(days[weekly].dt.weekday, unit="D")
    tenday = frequencies == "T"
    dom = days[tenday].dt.day
    start_day = np.where(dom <= 10, 1, np.where(dom <= 20, 11, 21))
    result[tenday] = days[tenday] - pd.to_timedelta(days[tenday].dt.day - start_day, unit="D")
    for code, alias in (("M", "M"), ("Q", "Q"), ("Y", "Y")):
        mask = frequencies == code
        result[mask] = days[mask].dt.to_period(alias).dt.start_time
    return result.dt.normalize()
