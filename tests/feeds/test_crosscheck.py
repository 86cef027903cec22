"""Cross-checks: comparing stored values with a second source, and their definitions."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pytest

from feeds.crosscheck import compare, relative_difference
from feeds.definitions import DefinitionError, parse_definitions

D1, D2, D3 = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)


@pytest.mark.parametrize(
    ("ours", "theirs", "expected"),
    [
        (100.0, 102.0, 0.02),
        (100.0, 98.0, -0.02),
        (-50.0, -49.0, 0.02),  # relative to |ours|: a spread below zero moving up
        (0.0, 0.0, 0.0),
        (0.0, 1.0, math.inf),
        (0.0, -1.0, -math.inf),
    ],
)
def test_the_difference_is_relative_to_the_stored_value(
    ours: float, theirs: float, expected: float
) -> None:
    assert relative_difference(ours, theirs) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("theirs", "flagged"),
    [
        (102.0, False),  # exactly at the tolerance: not flagged
        (102.01, True),  # just beyond
        (98.0, False),
        (97.99, True),
    ],
)
def test_a_difference_is_flagged_only_beyond_the_tolerance(theirs: float, flagged: bool) -> None:
    found = compare(
        check_id="c", series_id="s", tolerance=0.02, ours={D1: 100.0}, theirs={D1: theirs}
    )
    assert (found.compared, found.flagged) == (1, flagged)


def test_only_periods_both_sides_have_are_compared_and_the_worst_is_named() -> None:
    found = compare(
        check_id="c",
        series_id="s",
        tolerance=0.01,
        ours={D1: 100.0, D2: 200.0, D3: 300.0},
        theirs={D2: 210.0, D3: 330.0, date(2026, 3, 5): 1.0},
    )
    assert found.compared == 2
    assert [d.period for d in found.disagreements] == [D2, D3]
    worst = found.worst
    assert worst is not None and (worst.period, worst.ours, worst.theirs) == (D3, 300.0, 330.0)
    assert worst.difference == pytest.approx(0.10)
    nothing = compare(check_id="c", series_id="s", tolerance=0.01, ours={D1: 1.0}, theirs={})
    assert (nothing.compared, nothing.flagged, nothing.worst) == (0, False, None)


def feed(series_id: str = "copper_shfe_futures", unit: str = "CNY/t") -> dict[str, Any]:
    return {
        "source": "file",
        "location": "x.csv",
        "mapping": {"period": "date"},
        "series": [
            {
                "id": series_id,
                "material": "copper",
                "indicator": "price",
                "frequency": "D",
                "unit": unit,
                "value": "close",
            }
        ],
    }


def document(*checks: dict[str, Any]) -> dict[str, Any]:
    return {"version": 1, "feeds": [{"id": "cu", **feed()}], "cross_checks": list(checks)}


def test_a_cross_check_is_read_with_its_feed_and_its_series() -> None:
    parsed = parse_definitions(
        document({"id": "cu_second", "tolerance": 0.03, "days": 5, "feed": feed()}), source="f"
    )
    (check,) = parsed.cross_checks
    assert (check.id, check.tolerance, check.days) == ("cu_second", 0.03, 5)
    assert check.series_ids == ("copper_shfe_futures",)
    assert check.feed.id == "cu_second"
    assert [f.id for f in parsed.feeds] == ["cu"]  # never a feed that stores
    assert parse_definitions(document(), source="f").cross_checks == ()


@pytest.mark.parametrize(
    ("check", "field", "words"),
    [
        (
            {"id": "x", "tolerance": 0.02, "feed": feed("zinc_shfe_futures")},
            "feed.series",
            "no feed",
        ),
        ({"id": "x", "tolerance": 0.02, "feed": feed(unit="USD/t")}, "feed.series", "USD/t"),
        ({"id": "x", "tolerance": 0, "feed": feed()}, "tolerance", "greater than 0"),
        ({"id": "x", "tolerance": 1, "feed": feed()}, "tolerance", "less than 1"),
        ({"id": "x", "tolerance": 0.02, "days": 61, "feed": feed()}, "days", "60"),
        ({"id": "x", "tolerance": 0.02, "feed": feed(), "every": 1}, "every", "Extra"),
        ({"id": "x", "tolerance": 0.02}, "feed", "expected a mapping"),
        ({"id": "Bad Id", "tolerance": 0.02, "feed": feed()}, "id", "snake case"),
        (
            {"id": "x", "tolerance": 0.02, "feed": {**feed(), "source": "nope"}},
            "feed.source",
            "nope",
        ),
    ],
)
def test_a_wrong_cross_check_is_refused_naming_it_and_the_field(
    check: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(DefinitionError) as refused:
        parse_definitions(document(check), source="f.yaml")
    assert refused.value.field == field
    assert refused.value.feed is not None and refused.value.feed.startswith("cross-check ")
    assert words in str(refused.value)


def test_two_cross_checks_with_one_id_and_a_list_that_is_not_one_are_refused() -> None:
    twice = {"id": "x", "tolerance": 0.02, "feed": feed()}
    with pytest.raises(DefinitionError, match="used twice"):
        parse_definitions(document(twice, twice), source="f")
    with pytest.raises(DefinitionError, match="expected a list"):
        parse_definitions({**document(), "cross_checks": {"x": 1}}, source="f")
