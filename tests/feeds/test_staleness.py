"""feeds.calendar and feeds.staleness: trading-day aware, NBS Jan-Feb aware."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from feeds.calendar import holidays, is_trading_day, trading_mask
from feeds.staleness import is_stale, next_period, staleness_of_each
from tests.support.loopback import REAL


@pytest.mark.parametrize(
    ("day", "trading"),
    [
        (date(2024, 3, 1), True),  # Friday
        (date(2024, 3, 2), False),  # Saturday
        (date(2024, 2, 9), False),  # Lunar New Year's Eve 2024
        (date(2024, 2, 15), False),  # Spring Festival week
        (date(2024, 2, 19), True),
        (date(2025, 10, 3), False),  # National Day week
        (date(2025, 10, 9), True),
    ],
)
def test_trading_days(day: date, trading: bool) -> None:
    assert is_trading_day(day) is trading


def test_calendar_agrees_with_real_exchange_days() -> None:
    """Real futures trade almost never on a day the approximation calls a holiday."""
    folder = REAL / "china_futures_sina_continuous"
    days = pd.concat(
        pd.read_csv(folder / name, usecols=["date"], parse_dates=["date"])["date"]
        for name in ("shfe_copper_CU0.csv", "dce_iron_ore_I0.csv", "shfe_rebar_RB0.csv")
    )
    weekdays = days[days.dt.weekday < 5]
    closed = weekdays[~trading_mask(weekdays)]
    assert len(closed) / len(weekdays) < 0.002
    # and in a Spring Festival week the real data are indeed silent
    sf_2019 = holidays(2019) & {d.date() for d in days}
    assert sf_2019 == set()


@pytest.mark.parametrize(
    ("last", "as_of", "missed", "stale"),
    [
        (date(2024, 3, 1), date(2024, 3, 4), 0, False),  # Friday -> Monday: nothing missed
        (date(2024, 3, 1), date(2024, 3, 6), 2, False),  # Mon, Tue missed: within grace 2
        (date(2024, 3, 1), date(2024, 3, 7), 3, True),  # Mon-Wed missed
        # across the Spring Festival week (9-15 Feb 2024): Fri 16 and Mon 19 missed
        (date(2024, 2, 8), date(2024, 2, 20), 2, False),
        (date(2024, 2, 2), date(2024, 2, 20), 6, True),  # 5-8 Feb, 16 and 19 Feb
        (date(2025, 9, 30), date(2025, 10, 9), 1, False),  # across National Day: 8 Oct
    ],
)
def test_daily_staleness_is_trading_day_aware(
    last: date, as_of: date, missed: int, stale: bool
) -> None:
    verdict = is_stale(last, "D", as_of)
    assert verdict.stale is stale, verdict.reason
    assert verdict.reason == f"{missed} trading day(s) without data since {last} (grace 2)"


@pytest.mark.parametrize(
    ("last", "frequency", "as_of", "combined", "stale"),
    [
        (date(2024, 1, 1), "M", date(2024, 3, 5), False, False),  # Feb due 20 Mar
        (date(2024, 1, 1), "M", date(2024, 4, 5), False, True),
        (date(2023, 12, 1), "M", date(2024, 4, 5), True, False),  # NBS: next is March
        (date(2023, 12, 1), "M", date(2024, 4, 5), False, True),
        (date(2023, 12, 1), "M", date(2024, 5, 6), True, True),
        (date(2024, 3, 4), "W", date(2024, 3, 20), False, False),
        (date(2024, 3, 4), "W", date(2024, 3, 26), False, True),
        (date(2024, 1, 1), "Q", date(2024, 6, 1), False, False),
        (date(2024, 1, 1), "Q", date(2024, 8, 25), False, True),
        (date(2023, 1, 1), "Y", date(2024, 4, 1), False, False),
        (date(2024, 1, 21), "T", date(2024, 2, 15), False, False),
        (date(2024, 1, 21), "T", date(2024, 2, 25), False, True),
    ],
)
def test_periodic_staleness(
    last: date, frequency: str, as_of: date, combined: bool, stale: bool
) -> None:
    verdict = is_stale(last, frequency, as_of, combined_jan_feb=combined)
    assert verdict.stale is stale, verdict.reason


def test_no_data_is_stale_and_bulk_helper() -> None:
    verdicts = staleness_of_each(
        {"a": date(2024, 3, 1), "b": None},
        {"a": "D", "b": "M"},
        date(2024, 3, 4),
    )
    assert (
        not verdicts["a"].stale and verdicts["b"].stale and verdicts["b"].reason == "no data at all"
    )


@pytest.mark.parametrize(
    ("period", "frequency", "expected"),
    [
        (date(2024, 1, 21), "T", date(2024, 2, 1)),
        (date(2024, 1, 11), "T", date(2024, 1, 21)),
        (date(2024, 12, 1), "M", date(2025, 1, 1)),
        (date(2024, 10, 1), "Q", date(2025, 1, 1)),
        (date(2024, 12, 30), "W", date(2025, 1, 6)),
    ],
)
def test_next_period(period: date, frequency: str, expected: date) -> None:
    assert next_period(period, frequency) == expected
