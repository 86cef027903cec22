"""Staleness: has a series gone past its cadence plus a grace without a new period?

Each frequency has a :class:`Cadence`. For a series whose last period is ``last``:

- daily (D): stale when more than ``grace`` trading days (feeds.calendar: weekends and the
  Spring Festival and National Day weeks excluded) lie strictly between ``last`` and
  ``as_of``. ``as_of`` itself is not counted: its data may not be published yet.
- other frequencies: the next period after ``last`` is due ``publication_lag_days`` after it
  ends; the series is stale when ``as_of`` is more than ``grace_days`` past that. For monthly
  series with January and February published combined (NBS output), January and February are
  not expected: after December the next period due is March.

A stale series must reach the rules as missing data (``no_data``), never as normal.

API: ``is_stale(last_period, frequency, as_of, *, combined_jan_feb=False, cadences=CADENCES)
-> Staleness`` and ``staleness_of_each(last_periods, frequencies, as_of, ...)``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from feeds.calendar import trading_days_between


@dataclass(frozen=True)
class Cadence:
    """How often a frequency publishes, how late after period end, and how much slack."""

    publication_lag_days: int
    grace_days: int


CADENCES: Final[dict[str, Cadence]] = {
    "D": Cadence(publication_lag_days=0, grace_days=2),  # grace in trading days
    "W": Cadence(publication_lag_days=3, grace_days=4),
    "T": Cadence(publication_lag_days=5, grace_days=5),
    "M": Cadence(publication_lag_days=20, grace_days=15),  # NBS ~ mid-month; WB ~ 3rd workday
    "Q": Cadence(publication_lag_days=30, grace_days=20),
    "Y": Cadence(publication_lag_days=90, grace_days=60),
}


@dataclass(frozen=True)
class Staleness:
    """The verdict for one series, with the date from which it counts as stale and why."""

    stale: bool
    due_by: date | None
    reason: str


def next_period(period: date, frequency: str, *, combined_jan_feb: bool = False) -> date:
    """The first day of the period after ``period`` (a period start)."""
    if frequency == "W":
        return period + timedelta(days=7)
    if frequency == "T":
        if period.day < 21:
            return period.replace(day=period.day + 10)
        return _add_months(period.replace(day=1), 1)
    if frequency == "M":
        following = _add_months(period, 1)
        if combined_jan_feb and following.month in (1, 2):
            return following.replace(month=3)
        return following
    if frequency == "Q":
        return _add_months(period, 3)
    if frequency == "Y":
        return period.replace(year=period.year + 1)
    return period + timedelta(days=1)


def period_end(period: date, frequency: str) -> date:
    """The last day of the period starting at ``period``."""
    return next_period(period, frequency) - timedelta(days=1)


def is_stale(
    last_period: date | None,
    frequency: str,
    as_of: date,
    *,
    combined_jan_feb: bool = False,
    cadences: Mapping[str, Cadence] = CADENCES,
) -> Staleness:
    """Decide whether a series is stale on ``as_of``; see the module docstring."""
    if last_period is None:
        return Staleness(True, None, "no data at all")
    cadence = cadences[frequency]
    if frequency == "D":
        missed = trading_days_between(last_period, as_of)
        stale = missed > cadence.grace_days
        return Staleness(
            stale,
            None,
            f"{missed} trading day(s) without data since {last_period.isoformat()} "
            f"(grace {cadence.grace_days})",
        )
    upcoming = next_period(last_period, frequency, combined_jan_feb=combined_jan_feb)
    due = period_end(upcoming, frequency) + timedelta(days=cadence.publication_lag_days)
    limit = due + timedelta(days=cadence.grace_days)
    stale = as_of > limit
    what = f"period {upcoming.isoformat()} was due by {due.isoformat()}"
    return Staleness(stale, due, f"{what} (grace {cadence.grace_days} days)")


def staleness_of_each(
    last_periods: Mapping[str, date | None],
    frequencies: Mapping[str, str],
    as_of: date,
    *,
    combined_jan_feb: Collection[str] = (),
    cadences: Mapping[str, Cadence] = CADENCES,
) -> dict[str, Staleness]:
    """:func:`is_stale` for every series in ``frequencies``."""
    return {
        series_id: is_stale(
            last_periods.get(series_id),
            frequency,
            as_of,
            combined_jan_feb=series_id in combined_jan_feb,
            cadences=cadences,
        )
        for series_id, frequency in frequencies.items()
    }


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
