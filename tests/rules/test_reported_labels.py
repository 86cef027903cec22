"""Reasons name the series summed from the enterprises' reports as such."""

from __future__ import annotations

from rules.labels import series_label

NAMES = {"cement": ("水泥", "Cement"), "copper": ("铜", "Copper")}


def test_a_reported_series_is_named_after_the_reporting_enterprises() -> None:
    assert series_label("reported_cement_output", "cement", "output", NAMES) == (
        "报送企业水泥产量",
        "Reporting enterprises' cement output",
    )
    assert series_label("reported_copper_stock", "copper", "inventory", NAMES) == (
        "报送企业铜库存",
        "Reporting enterprises' copper stocks",
    )
    # a catalog series of the same kind keeps its own name
    assert series_label("cement_nbs_output", "cement", "output", NAMES)[0] != "报送企业水泥产量"
