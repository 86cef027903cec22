"""What the charts draw: sparklines as SVG paths (rendered on the server, no script), and the
data of the interactive charts (drawn by ``static/app.js`` with ECharts) as plain JSON.

The JSON goes into the page inside ``<script type="application/json">`` (data, never run;
Jinja's ``tojson`` escapes ``<``, ``>`` and ``&``), so the pages need no inline script.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from rules.detectors import DETECTORS
from rules.ruleset import Rule
from warning.evaluation.history import LevelHistory
from warning.web.words import RULE_NAMES

SPARK_WIDTH: Final = 120
SPARK_HEIGHT: Final = 32
SPARK_POINTS: Final = 120
MOST_DIGITS: Final = 4  # a tooltip shows a series' values with at most this many decimals
INDICATOR_DIGITS: Final = 2  # an indicator's values (percent, points, deviations)


@dataclass(frozen=True)
class Sparkline:
    """An SVG path of a series' last year, and whether it ended higher or lower."""

    path: str
    trend: str  # "up", "down" or "flat"


def sparkline(values: Sequence[tuple[date, float]]) -> Sparkline | None:
    """The path of ``values`` scaled into a SPARK_WIDTH x SPARK_HEIGHT box (None: too few)."""
    if len(values) < 2:
        return None
    step = max(1, len(values) // SPARK_POINTS)
    kept = list(values[::step])
    if kept[-1] != values[-1]:
        kept.append(values[-1])
    first_day, last_day = kept[0][0].toordinal(), kept[-1][0].toordinal()
    low = min(v for _, v in kept)
    high = max(v for _, v in kept)
    span_x = max(1, last_day - first_day)
    span_y = (high - low) or 1.0
    margin = 2.0
    points = [
        (
            (day.toordinal() - first_day) / span_x * SPARK_WIDTH,
            margin + (high - value) / span_y * (SPARK_HEIGHT - 2 * margin),
        )
        for day, value in kept
    ]
    path = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points)
    first, last = values[0][1], values[-1][1]
    trend = (
        "flat" if abs(last - first) <= 0.005 * abs(first or 1) else "up" if last > first else "down"
    )
    return Sparkline(path, trend)


def bands(history: LevelHistory | None) -> list[dict[str, str]]:
    """The level spans of a replay as chart bands (normal spans need none)."""
    if history is None:
        return []
    return [
        {
            "from": span.first.isoformat(),
            "to": span.until.isoformat(),
            "level": span.level,
            "direction": span.direction,
        }
        for span in history.spans
        if span.level != "normal"
    ]


def timeline(history: LevelHistory | None) -> list[dict[str, str]]:
    """Every level span of a replay, normal included: the coloured timeline."""
    if history is None:
        return []
    return [
        {
            "from": span.first.isoformat(),
            "to": span.until.isoformat(),
            "level": span.level,
            "direction": span.direction,
        }
        for span in history.spans
    ]


def thresholds(rule: Rule | None) -> list[dict[str, Any]]:
    """The threshold lines of an indicator's rule: value, level and side."""
    if rule is None:
        return []
    names = {1: "blue", 2: "yellow", 3: "red"}
    lines = []
    for side, limits in (("up", rule.up), ("down", rule.down)):
        for code, value in limits.points() if limits is not None else []:
            lines.append({"value": value, "level": names[code], "side": side})
    return lines


def points(values: Sequence[tuple[date, float]]) -> list[list[Any]]:
    """``[[iso date, value], ...]`` for a chart series."""
    return [[day.isoformat(), round(value, 6)] for day, value in values]


def precision(values: Iterable[float]) -> int:
    """The decimals a series is published with: the fewest that write each of ``values``
    exactly (at most :data:`MOST_DIGITS`); a mean of whole numbers is shown as whole."""
    digits = 0
    for value in values:
        while digits < MOST_DIGITS and abs(round(value, digits) - value) > 1e-9 * max(
            1.0, abs(value)
        ):
            digits += 1
    return digits


def indicator_panel(
    history: LevelHistory, rule: Rule, series_id: str, gettext: Callable[[str], str]
) -> dict[str, Any]:
    """An indicator of one series as the rule set replayed it, with the rule's threshold lines
    (the lower panel of the item's and the material's charts)."""
    name = RULE_NAMES.get(rule.name)
    return {
        "name": gettext(name) if name else rule.name,  # JSON: no markup
        "unit": DETECTORS[rule.detector].unit,
        "precision": INDICATOR_DIGITS,
        "points": points(history.indicator_values(rule.name, series_id)),
        "thresholds": thresholds(rule),
    }


def level_labels(gettext: Callable[[str], str], names: dict[str, str]) -> dict[str, str]:
    """The translated level names the chart's legend and tooltips show."""
    return {level: gettext(text) for level, text in names.items()}
