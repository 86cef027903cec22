"""Stale series from the store, by feeds.staleness (trading days, NBS January-February)."""

from __future__ import annotations

from datetime import date

import pytest
from feed_helpers import definitions, price_feed
from sqlalchemy.orm import Session, sessionmaker

from feeds.staleness import is_stale
from tests.support.store import put_values
from warning.feeding.staleness import stale_series_ids
from warning.feeding.status import series_status


def put(
    factory: sessionmaker[Session], series_id: str, *periods: date, suspect: bool = False
) -> None:
    put_values(factory, series_id, dict.fromkeys(periods, 100.0), suspect=suspect)


@pytest.mark.parametrize(
    ("as_of", "stale"),
    [
        (date(2026, 3, 10), False),  # Monday between: 1 trading day missed
        (date(2026, 3, 11), False),  # Mon, Tue: 2 = the grace
        (date(2026, 3, 12), True),  # Mon, Tue, Wed: 3 > 2
    ],
)
def test_daily_series_is_stale_after_its_trading_day_grace(
    factory: sessionmaker[Session], as_of: date, stale: bool
) -> None:
    put(factory, "copper_shfe_futures", date(2026, 3, 6))  # a Friday
    with factory() as session:
        assert ("copper_shfe_futures" in stale_series_ids(session, as_of=as_of)) is stale


def test_series_without_data_are_stale_and_nbs_output_skips_january(
    factory: sessionmaker[Session],
) -> None:
    put(factory, "copper_nbs_output", date(2025, 12, 1))
    as_of = date(2026, 4, 10)
    with factory() as session:
        stale = stale_series_ids(session, as_of=as_of)
    assert "zinc_shfe_futures" in stale  # never loaded
    # plain monthly rules would expect January by early March; NBS publishes Jan-Feb in March
    assert is_stale(date(2025, 12, 1), "M", as_of).stale
    assert "copper_nbs_output" not in stale


def test_status_counts_suspect_values_and_names_the_feed(
    factory: sessionmaker[Session],
) -> None:
    put(factory, "copper_shfe_futures", date(2026, 3, 5), date(2026, 3, 6))
    put(factory, "copper_shfe_futures", date(2026, 3, 9), suspect=True)
    defs = definitions(price_feed("cu", "x.csv"))
    with factory() as session:
        lines = {
            line.series_id: line
            for line in series_status(session, definitions=defs, as_of=date(2026, 3, 10))
        }
    copper = lines["copper_shfe_futures"]
    assert (copper.feed_id, copper.observations, copper.suspect) == ("cu", 3, 1)
    assert copper.last_period == date(2026, 3, 9) and not copper.staleness.stale
    assert copper.last_run_at is None and not copper.failing
    assert lines["zinc_shfe_futures"].feed_id is None
    assert lines["zinc_shfe_futures"].staleness.stale
