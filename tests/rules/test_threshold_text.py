"""The thresholds as the indicator rows show them (``IndicatorResult.thresholds``), and the
value a score stands for (what a held level must stay beyond)."""

from __future__ import annotations

import pytest

from rules.ruleset import Thresholds
from rules.threshold_scores import threshold_text, value_at_score

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


@pytest.mark.parametrize(
    ("th", "side", "score", "value"),
    [
        (Thresholds(yellow=15, red=30), "up", 2.5, 22.5),  # halfway from yellow to red
        (Thresholds(yellow=15, red=30), "up", 3.0, 30.0),
        (Thresholds(yellow=-15, red=-25), "down", 2.5, -20.0),
        (Thresholds(yellow=15, red=30), "up", 4.5, None),  # beyond the cap of 4
        (None, "up", 2.0, None),
        (Thresholds(), "up", 2.0, None),  # no thresholds at all
    ],
)
def test_value_at_score_inverts_the_score(
    th: Thresholds | None, side: str, score: float, value: float | None
) -> None:
    got = value_at_score(th, side, score)
    assert got == (pytest.approx(value) if value is not None else None)
