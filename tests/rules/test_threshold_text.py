"""The thresholds as the indicator rows show them (``IndicatorResult.thresholds``)."""

from __future__ import annotations

import pytest

from rules.ruleset import Thresholds
from rules.threshold_scores import threshold_text

CASES = [
    (Thresholds(yellow=15, red=30), Thresholds(yellow=-15, red=-25), "%",
     "up: yellow 15%, red 30%; down: yellow -15%, red -25%"),
    (Thresholds(blue=2, yellow=3), None, " SD", "up: blue 2 SD, yellow 3 SD"),
    (None, Thresholds(blue=-8), "%", "down: blue -8%"),
    (None, None, "%", ""),
]  # fmt: skip


@pytest.mark.parametrize(("up", "down", "unit", "text"), CASES)
def test_threshold_text(
    up: Thresholds | None, down: Thresholds | None, unit: str, text: str
) -> None:
    assert threshold_text(up, down, unit) == text


def test_without_a_unit_the_numbers_stand_alone() -> None:
    assert threshold_text(Thresholds(yellow=770, red=900), None) == "up: yellow 770, red 900"
