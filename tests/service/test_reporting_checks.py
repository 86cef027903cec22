"""Row-level checks of a submission (:mod:`warning.reporting.checks`): numbers refused by what
is wrong with them, the range at its edges, and a jump asked about just past its share."""

from __future__ import annotations

from datetime import date

import pytest

from warning.catalog import load_catalog
from warning.errors import Invalid
from warning.reporting.checks import Entry, check_values
from warning.reporting.forms import load_forms, period_end, period_start

FORMS = load_forms(None, materials=load_catalog().material_ids)
FERROUS = FORMS.get("ferrous")
assert FERROUS is not None


def checked(field: str, value: object, unit: str | None = None, history: tuple[float, ...] = ()):  # type: ignore[no-untyped-def]
    assert FERROUS is not None
    return check_values(
        FERROUS,
        {field: Entry(value, unit)},
        current={},
        history={field: history} if history else {},
    )


@pytest.mark.parametrize(
    "value",
    [10**400, -(10**400), float("inf"), float("nan"), "12", True, None],
    ids=["huge int", "huge negative int", "inf", "nan", "text", "bool", "null"],
)
def test_what_is_no_finite_number_is_refused_by_name(value: object) -> None:
    result = checked("steel_output", value)
    assert result.refused == {"steel_output": "expected a finite number"}
    assert result.values == {}


def test_the_largest_float_is_above_the_ceiling_in_any_unit() -> None:
    for unit in (None, "万吨", "t"):
        result = checked("steel_output", 1.7e308, unit)
        assert "above the most allowed, 10000" in result.refused["steel_output"], unit
        assert result.values == {}


def test_the_range_holds_at_its_edges() -> None:
    assert checked("steel_output", 0).values == {"steel_output": 0.0}
    assert checked("steel_output", 10_000).values == {"steel_output": 10_000.0}
    assert "below the least allowed" in checked("steel_output", -0.001).refused["steel_output"]
    assert "above the most allowed" in checked("steel_output", 10_000.001).refused["steel_output"]
    assert (
        "above the most allowed" in checked("steel_utilisation", 120.5).refused["steel_utilisation"]
    )
    assert checked("steel_utilisation", 120).values == {"steel_utilisation": 120.0}


def test_every_measure_has_a_ceiling_so_no_sum_overflows() -> None:
    for form in FORMS.forms:
        for spec in form.fields:
            assert spec.max is not None and spec.max <= 1e6, spec.id


@pytest.mark.parametrize(
    ("value", "asked"),
    [(56, False), (104, False), (55.99, True), (104.01, True), (80, False)],
)
def test_a_jump_is_asked_only_past_its_share(value: float, asked: bool) -> None:
    # utilisation's jump is 0.3: 56 and 104 against a median of 80 are exactly 30 % away
    # (in floating point 0.30000000000000004: the boundary must still count as no jump)
    result = checked("steel_utilisation", value, history=(70.0, 80.0, 90.0))
    assert ("steel_utilisation" in result.jumps) is asked
    assert result.values == {"steel_utilisation": float(value)}


@pytest.mark.parametrize("period", ["9999-12", "0001-01", "1989-12", "2200-01", "9999-W52"])
def test_a_period_outside_the_reporting_years_is_invalid_not_an_overflow(period: str) -> None:
    with pytest.raises(Invalid, match="reporting covers the years 1990 to 2199"):
        period_start(period)
    with pytest.raises(Invalid):
        period_end(period)


def test_the_first_and_last_reporting_periods_and_days() -> None:
    assert period_start("1990-01") == date(1990, 1, 1)
    assert period_end("2199-12") == date(2199, 12, 31)
    assert FERROUS is not None
    assert FERROUS.due_date("2199-12") == date(2200, 1, 10)
    assert FERROUS.open_period(date(1990, 2, 1)) == "1990-01"
    with pytest.raises(Invalid, match="date 0001-01-05"):
        FERROUS.open_period(date(1, 1, 5))
    with pytest.raises(Invalid, match="date 9999-12-31"):
        FERROUS.open_period(date(9999, 12, 31))
