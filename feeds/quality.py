"""Row checks beyond the long format's own (feeds.longformat.validate_long_frame).

:mod:`feeds.longformat` already refuses unparseable values, non-positive prices, future
periods, duplicate periods, and a unit / frequency / indicator / material that contradicts the
series (the feed's definition and the caller's known series). This module adds:

- :func:`refusals`: a row for a series the feed does not produce; a period coarser than the
  series' frequency (``2024-03`` for a daily series); a daily period on a weekend (exchanges
  do not trade then, so such a row is a mislabelled date);
- :func:`suspect_jumps`: a value more than ``factor`` times, or less than ``1/factor`` of,
  the last value of its series before it that is not suspect itself (the last stored one for
  the first row of a batch). Such rows are accepted but flagged ``suspect``: operators see
  them, and rules should not read them as a warning without review. A suspect value is never
  the measure of the next: a second 80,000,000 after a flagged one is flagged as well.
- :func:`suspect_among_stored`: the same check for a batch placed among the values already
  stored, each row against the last period before it (stored or in the batch) that is not
  suspect. The service judges
  every batch this way when it stores it, whatever brought it (a file, a feed re-read from its
  start, a revised value).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np
import pandas as pd

from feeds.longformat import SeriesSpec

DEFAULT_JUMP_FACTOR: Final = 5.0
# How fine a period each precision names; a row fits a frequency if it is at least that fine.
_FINENESS: Final[dict[str, int]] = {"D": 0, "W": 1, "T": 1, "M": 2, "Q": 3, "Y": 4}
_WEEKDAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def refusals(frame: pd.DataFrame, *, specs: Mapping[str, SeriesSpec], feed_id: str) -> pd.Series:
    """A reason per row ("" = no objection) for the checks listed in the module docstring.

    ``frame`` has ``series_id``, ``period`` (ISO text) and ``precision`` (D, M, Q or Y).
    """
    reasons = pd.Series("", index=frame.index, dtype=object)
    if frame.empty:
        return reasons
    foreign = ~frame["series_id"].isin(specs.keys())
    reasons[foreign] = (
        "series '" + frame.loc[foreign, "series_id"] + f"' is not produced by feed '{feed_id}'"
    )
    frequency = frame["series_id"].map({k: s.frequency for k, s in specs.items()})
    open_rows = reasons == ""
    coarse = open_rows & (frame["precision"].map(_FINENESS) > frequency.map(_FINENESS).fillna(99))
    reasons[coarse] = (
        "period '"
        + frame.loc[coarse, "period"]
        + "' names a whole "
        + frame.loc[coarse, "precision"].map({"M": "month", "Q": "quarter", "Y": "year"})
        + " but series '"
        + frame.loc[coarse, "series_id"]
        + "' is "
        + frequency[coarse]
    )
    days = pd.to_datetime(frame["period"], format="%Y-%m-%d", errors="coerce")
    weekend = (reasons == "") & (frequency == "D") & (days.dt.weekday >= 5)
    reasons[weekend] = (
        "period "
        + frame.loc[weekend, "period"]
        + " is a "
        + days[weekend].dt.weekday.map(dict(enumerate(_WEEKDAYS)))
        + ", not a trading day of daily series '"
        + frame.loc[weekend, "series_id"]
        + "'"
    )
    return reasons


def suspect_jumps(
    observations: pd.DataFrame,
    *,
    last_values: Mapping[str, float],
    factor: float = DEFAULT_JUMP_FACTOR,
) -> pd.Series:
    """True for each row whose value jumped by more than ``factor`` from the last value before
    it that is not suspect itself.

    Rows are compared in period order within their series; the first row of a series is
    compared with ``last_values[series_id]`` when given (the last value stored that is not
    suspect). Zero or negative neighbours (e.g. a net export) are not compared.
    """
    if observations.empty:
        return pd.Series(False, index=observations.index, dtype=bool)
    before = pd.DataFrame(
        {
            "series_id": list(last_values),
            "period": pd.Timestamp.min,  # before every period of the batch
            "value": [float(value) for value in last_values.values()],
        }
    )
    return suspect_among_stored(observations, before, factor=factor)


def suspect_among_stored(
    incoming: pd.DataFrame, stored: pd.DataFrame, *, factor: float = DEFAULT_JUMP_FACTOR
) -> pd.Series:
    """True for each ``incoming`` row whose value jumped by more than ``factor`` from the last
    value before it in its series that is not suspect: the batch's own where it has that
    period, else the stored one. A row with nothing before it is not judged.

    Both frames have ``series_id``, ``period`` and ``value``; ``stored`` may have ``suspect``
    (the stored flags; missing: none is). A stored period the batch also gives counts with
    the batch's value (a revision is judged, and judges the next period, by its new value).
    A value judged suspect is passed over as the measure of the next one: after 100, a
    flagged 8,000 and another 8,000 are both flagged, and a 100 after them is not.
    """
    keys = ["series_id", "period"]
    if incoming.empty:
        return pd.Series(False, index=incoming.index, dtype=bool)
    ours = incoming[[*keys, "value"]].assign(row=np.arange(len(incoming)), suspect=False)
    theirs = stored[[*keys, "value"]].assign(
        row=-1, suspect=stored["suspect"].astype(bool) if "suspect" in stored else False
    )
    union = pd.concat([theirs, ours], ignore_index=True)
    union = union.drop_duplicates(keys, keep="last").sort_values(keys, kind="stable")
    union = union.reset_index(drop=True)
    previous = union.groupby("series_id", sort=False)["value"].shift(1)
    jump = _jumped(union["value"], previous, factor).to_numpy()
    rows = union["row"].to_numpy()
    suspect = union["suspect"].to_numpy(dtype=bool)
    # Until a series' first suspect value each value is judged by the one before it (above);
    # from there on, by the last value before it that is not suspect (one by one, below).
    codes = pd.factorize(union["series_id"])[0]  # sorted: each series' rows are together
    firsts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    ends = np.r_[firsts[1:], len(codes)]
    values = union["value"].to_numpy(dtype=float)
    dirty = np.flatnonzero((jump & (rows >= 0)) | suspect)
    series_of, first_dirty = np.unique(codes[dirty], return_index=True)
    for code, start in zip(series_of, dirty[first_dirty], strict=True):
        first, end = int(firsts[code]), int(ends[code])
        reference = float(values[start - 1]) if start > first else None
        _judge(
            jump,
            values,
            rows,
            suspect,
            span=range(int(start), end),
            reference=reference,
            factor=factor,
        )
    flags = np.zeros(len(incoming), dtype=bool)
    flags[rows[rows >= 0]] = jump[rows >= 0]
    return pd.Series(flags, index=incoming.index)


def _judge(
    jump: np.ndarray,
    values: np.ndarray,
    rows: np.ndarray,
    suspect: np.ndarray,
    *,
    span: range,
    reference: float | None,
    factor: float,
) -> None:
    """Judge the incoming rows (``rows >= 0``) at the positions of ``span``, one series in
    period order, each against the last value before it that is not suspect (``reference``
    before the first), in place in ``jump``; stored values keep their ``suspect`` flag."""
    for position in span:
        value = float(values[position])
        if rows[position] >= 0:
            ratio = value / reference if reference is not None and reference > 0 else None
            jumped = ratio is not None and value > 0 and (ratio > factor or ratio < 1.0 / factor)
            jump[position] = jumped
            if not jumped:
                reference = value
        elif not suspect[position]:
            reference = value


def _jumped(values: pd.Series, previous: pd.Series, factor: float) -> pd.Series:
    """Whether each value is beyond ``factor`` times, or below ``1/factor`` of, the previous;
    zero, negative or missing neighbours are not compared."""
    comparable = (previous > 0) & (values > 0)
    ratio = values / previous
    return comparable & ((ratio > factor) | (ratio < 1.0 / factor))


def jump_reason(value: float, previous: float) -> str:
    """Plain words for a suspect jump, for operator views."""
    return f"value {value:g} is {value / previous:.2f}x the previous {previous:g}"


__all__ = [
    "DEFAULT_JUMP_FACTOR",
    "jump_reason",
    "refusals",
    "suspect_among_stored",
    "suspect_jumps",
]
