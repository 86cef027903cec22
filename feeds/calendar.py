"""An approximate China exchange trading calendar, for daily series.

Trading days are weekdays outside two holiday weeks:

- Spring Festival: the seven days from Lunar New Year's Eve (the day before the first day of
  the lunar year, from a table for 2005-2035) to the fifth day of the new year;
- National Day: 1 to 7 October.

This is an approximation of the State Council's yearly holiday notice: it ignores the
one-to-three-day holidays (New Year, Qingming, Labour Day, Dragon Boat, Mid-Autumn), the
occasional eighth Spring Festival day (e.g. 2024) and the weekend make-up working days
(exchanges stay closed on those anyway). For staleness this errs towards calling a short
holiday a trading day, which the grace of one or two trading days absorbs.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from typing import Final

import pandas as pd

# The first day of the lunar year (春节), Gregorian date.
LUNAR_NEW_YEAR: Final[dict[int, date]] = {
    2005: date(2005, 2, 9), 2006: date(2006, 1, 29), 2007: date(2007, 2, 18),
    2008: date(2008, 2, 7), 2009: date(2009, 1, 26), 2010: date(2010, 2, 14),
    2011: date(2011, 2, 3), 2012: date(2012, 1, 23), 2013: date(2013, 2, 10),
    2014: date(2014, 1, 31), 2015: date(2015, 2, 19), 2016: date(2016, 2, 8),
    2017: date(2017, 1, 28), 2018: date(2018, 2, 16), 2019: date(2019, 2, 5),
    2020: date(2020, 1, 25), 2021: date(2021, 2, 12), 2022: date(2022, 2, 1),
    2023: date(2023, 1, 22), 2024: date(2024, 2, 10), 2025: date(2025, 1, 29),
    2026: date(2026, 2, 17), 2027: date(2027, 2, 6), 2028: date(2028, 1, 26),
    2029: date(2029, 2, 13), 2030: date(2030, 2, 3), 2031: date(2031, 1, 23),
    2032: date(2032, 2, 11), 2033: date(2033, 1, 31), 2034: date(2034, 2, 19),
    2035: date(2035, 2, 8),
}  # fmt: skip
SPRING_FESTIVAL_DAYS: Final = 7  # from New Year's Eve
NATIONAL_DAY_DAYS: Final = 7  # from 1 October


@lru_cache(maxsize=64)
def holidays(year: int) -> frozenset[date]:
    """The approximated exchange holidays of ``year`` (weekends not included)."""
    days: set[date] = set()
    new_year = LUNAR_NEW_YEAR.get(year)
    if new_year is not None:
        eve = new_year - timedelta(days=1)
        days.update(eve + timedelta(days=i) for i in range(SPRING_FESTIVAL_DAYS))
    days.update(date(year, 10, 1) + timedelta(days=i) for i in range(NATIONAL_DAY_DAYS))
    return frozenset(days)


def is_trading_day(day: date) -> bool:
    """True for a weekday that is not in the approximated holiday weeks."""
    return day.weekday() < 5 and day not in holidays(day.year)


def covered_until() -> date:
    """The last day the calendar knows the holidays of (the end of the last year with a Lunar
    New Year in :data:`LUNAR_NEW_YEAR`); past it, Spring Festival weeks count as trading."""
    return date(max(LUNAR_NEW_YEAR), 12, 31)


def trading_days(start: date, end: date) -> list[date]:
    """The trading days from ``start`` to ``end``, both included."""
    if end < start:
        return []
    every = pd.date_range(start, end, freq="D").date
    return [day for day in every if is_trading_day(day)]


def trading_days_between(after: date, before: date) -> int:
    """How many trading days lie strictly after ``after`` and strictly before ``before``."""
    return len(trading_days(after + timedelta(days=1), before - timedelta(days=1)))


def trading_mask(days: pd.Series) -> pd.Series:
    """Vectorised :func:`is_trading_day` over a datetime64 series."""
    years = set(days.dt.year.dropna().astype(int))
    closed = {pd.Timestamp(d) for y in years for d in holidays(y)}
    return (days.dt.weekday < 5) & ~days.isin(closed) & days.notna()


__all__ = [
    "LUNAR_NEW_YEAR",
    "covered_until",
    "holidays",
    "is_trading_day",
    "trading_days",
    "trading_days_between",
    "trading_mask",
]
