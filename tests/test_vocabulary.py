"""The shared vocabulary fits the store and every kind has its aggregation rule."""

from __future__ import annotations

from vocabulary import AGGREGATION, INDICATOR_KINDS

#: warning/models.py: series.indicator is VARCHAR(16); PostgreSQL refuses longer values.
STORE_INDICATOR_LENGTH = 16


def test_every_indicator_kind_fits_the_store_column() -> None:
    assert max(len(kind) for kind in INDICATOR_KINDS) <= STORE_INDICATOR_LENGTH


def test_every_indicator_kind_has_an_aggregation() -> None:
    assert set(AGGREGATION) == set(INDICATOR_KINDS)
