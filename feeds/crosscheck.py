"""Comparing a series' stored values with a second source's, period by period.

A cross-check (:class:`feeds.definitions.CrossCheck`) names a second source of series a feed
set gives. :func:`compare` takes both sides' values of one series as plain mappings (period to
value) and says, for the periods both have, where they differ by more than the tolerance: the
difference is ``(theirs - ours) / |ours|``, ``ours`` being the stored value. A difference
exactly at the tolerance is not flagged. Where the stored value is 0 any other value is an
infinite difference (flagged), an equal one none.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Disagreement:
    """One period where the two sources differ beyond the tolerance."""

    period: date
    ours: float
    theirs: float
    difference: float  # (theirs - ours) / |ours|; inf where ours is 0


@dataclass(frozen=True)
class SeriesComparison:
    """One series of a cross-check: how many periods both sides have, and where they differ."""

    check_id: str
    series_id: str
    tolerance: float
    compared: int
    disagreements: tuple[Disagreement, ...]

    @property
    def flagged(self) -> bool:
        return bool(self.disagreements)

    @property
    def worst(self) -> Disagreement | None:
        return max(self.disagreements, key=lambda d: abs(d.difference), default=None)


def relative_difference(ours: float, theirs: float) -> float:
    """``(theirs - ours) / |ours|``; 0 when both are equal, infinite when only ``ours`` is 0."""
    if theirs == ours:
        return 0.0
    if ours == 0:
        return math.copysign(math.inf, theirs)
    return (theirs - ours) / abs(ours)


def compare(
    *,
    check_id: str,
    series_id: str,
    tolerance: float,
    ours: Mapping[date, float],
    theirs: Mapping[date, float],
) -> SeriesComparison:
    """Compare the periods both sides have (see the module docstring)."""
    common = sorted(set(ours) & set(theirs))
    disagreements = []
    for period in common:
        difference = relative_difference(ours[period], theirs[period])
        if abs(difference) > tolerance:
            disagreements.append(Disagreement(period, ours[period], theirs[period], difference))
    return SeriesComparison(
        check_id=check_id,
        series_id=series_id,
        tolerance=tolerance,
        compared=len(common),
        disagreements=tuple(disagreements),
    )
