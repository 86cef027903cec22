"""Values no real series can have, by indicator kind (:data:`vocabulary.PLAUSIBLE_RANGES`).

A price at or below zero, a negative output or stock, a value beyond the kind's largest
magnitude (1e12), or a nonzero value within a millionth of zero (1e-320, a subnormal) is a
unit or typing error, never data: stored, it would break aggregates (five prices of 1.5e308
overflow a weekly mean). Such values are refused with a reason naming the value.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from vocabulary import PlausibleRange, Sign, plausible_range

_BELOW: Final[dict[Sign, str]] = {Sign.POSITIVE: "non-positive", Sign.NON_NEGATIVE: "negative"}


def implausible(
    values: pd.Series, kinds: pd.Series, *, shown: pd.Series | None = None
) -> pd.Series:
    """A reason for each value its indicator kind cannot have ("" for the others).

    ``values`` are numbers, ``kinds`` the indicator kind of each row and ``shown`` the value
    as the reason should quote it (the text as written; by default the number).
    """
    numbers = np.asarray(values, dtype=float)
    codes, kinds_seen = pd.factorize(np.asarray(kinds, dtype=object))
    quoted_as = np.asarray(shown, dtype=object) if shown is not None else None
    reasons = np.full(len(numbers), "", dtype=object)
    free = np.ones(len(numbers), dtype=bool)  # rows without a reason yet: the first one holds
    for code, kind in enumerate(kinds_seen):
        mine = codes == code
        for mask, before, after in _faults(numbers, str(kind), plausible_range(kind)):
            hit = mine & mask & free
            if hit.any():
                quoted = (
                    [str(v) for v in quoted_as[hit]]
                    if quoted_as is not None
                    else [f"{number:g}" for number in numbers[hit]]
                )
                reasons[hit] = [before + text + after for text in quoted]
                free &= ~hit
    return pd.Series(reasons, index=values.index, dtype=object)


def _faults(
    numbers: np.ndarray, kind: str, bounds: PlausibleRange
) -> list[tuple[np.ndarray, str, str]]:
    """(rows, text before the value, text after it) for each way a value can be wrong."""
    with np.errstate(invalid="ignore"):
        magnitude = np.abs(numbers)
        faults = [(~np.isfinite(numbers), f"{kind} ", " is not a finite number")]
        if bounds.sign in _BELOW:
            low = numbers <= 0 if bounds.sign == Sign.POSITIVE else numbers < 0
            faults.append((low, f"{_BELOW[bounds.sign]} {kind} ", ""))
        faults.append(
            (
                magnitude > bounds.largest_magnitude,
                f"{kind} ",
                f" is implausibly large (beyond {bounds.largest_magnitude:g})",
            )
        )
        faults.append(
            (
                (magnitude < bounds.smallest_magnitude) & (numbers != 0),
                f"{kind} ",
                f" is implausibly close to zero (a nonzero value is at least "
                f"{bounds.smallest_magnitude:g})",
            )
        )
    return faults
