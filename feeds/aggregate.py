"""Series at their own frequency and aggregated to W / M / Q / Y, by indicator kind.

Rules (:data:`RULES`): prices are averaged (``mean``), flows (output, import, export) are
summed (``sum``), stocks (inventory) take the ``last`` observation of the period. Every
aggregated row says how many observations it used (``n_obs``), how many it expected
(``expected``) and whether it is ``complete``; a sum over an incomplete period is an
understatement, so rules should only use complete flow totals.

Periods nest by their start: a week belongs to the month, quarter and year of its Monday; a
day or ten-day period to the ones containing it. Expected counts: trading days
(feeds.calendar) for daily series, with a slack for the short holidays the calendar does not
know (:data:`DAILY_SLACK`), the number of sub-period starts inside the target for the rest.

**NBS January-February.** NBS publishes January and February output combined. For a series
listed in ``combined_jan_feb``, the February row holds the Jan-Feb cumulative value and no
January row exists (the convention a feed for such a series must follow). Aggregation then
counts February as covering both months: January is not expected, and a quarter or year sum
is complete without it. Where a monthly view is needed, :func:`spread_jan_feb` splits the
combined value evenly over January and February (marked ``estimated``) – an explicit estimate,
never silently mixed with published months.

**Derivable periods.** An aggregate stands for its whole target period only if the source's
history covers the period from its start: :func:`derivable` is that rule, the one the
service uses for its derived series (warning.derived) and ``scripts/build_sample.py`` for the
history it ships.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Final, overload

import pandas as pd

from feeds.calendar import trading_mask
from feeds.longformat import LONG_COLUMNS
from feeds.periods import normalise_periods
from vocabulary import AGGREGATION

# mean for prices and rates, sum for flows, last for stocks: the shared vocabulary's rule
RULES: Final[dict[str, str]] = {str(kind): rule.value for kind, rule in AGGREGATION.items()}
# Which source frequencies may be aggregated to which target (nesting by period start).
TARGETS: Final[dict[str, tuple[str, ...]]] = {
    "D": ("D", "W", "T", "M", "Q", "Y"),
    "W": ("W", "M", "Q", "Y"),
    "T": ("T", "M", "Q", "Y"),
    "M": ("M", "Q", "Y"),
    "Q": ("Q", "Y"),
    "Y": ("Y",),
}
# The trading calendar (feeds.calendar) leaves out the short holidays (New Year, Qingming,
# Labour Day, Dragon Boat, Mid-Autumn: up to 3 weekdays each), so a daily period still counts
# as complete when it misses up to this many of the days the calendar expects.
DAILY_SLACK: Final[dict[str, int]] = {"W": 3, "T": 3, "M": 3, "Q": 5, "Y": 12}
_PANDAS_FREQ: Final[dict[str, str]] = {"D": "D", "W": "W-MON", "M": "MS", "Q": "QS", "Y": "YS"}


class AggregationError(ValueError):
    """A series cannot be aggregated to the requested frequency."""

    def __init__(self, series_id: str, source: str, target: str) -> None:
        self.series_id = series_id
        super().__init__(
            f"series {series_id!r} is {source}; it can be given as "
            f"{', '.join(TARGETS[source])}, not {target}"
        )


def aggregate(
    observations: pd.DataFrame, to: str, *, combined_jan_feb: Collection[str] = ()
) -> pd.DataFrame:
    """Aggregate long-format ``observations`` (one or more series) to frequency ``to``.

    Returns the long columns (``frequency`` = ``to``, ``period`` = the target period start)
    plus ``rule``, ``n_obs``, ``expected`` and ``complete``. A series already at ``to`` comes
    back unchanged with ``n_obs`` = ``expected`` = 1.
    """
    parts = [
        _one_series(group, to, combined=series_id in combined_jan_feb)
        for series_id, group in observations.groupby("series_id", sort=True)
    ]
    if not parts:
        return pd.DataFrame(columns=[*LONG_COLUMNS, "rule", "n_obs", "expected", "complete"])
    return pd.concat(parts, ignore_index=True)


def _one_series(group: pd.DataFrame, to: str, *, combined: bool) -> pd.DataFrame:
    first = group.iloc[0]
    series_id, source = str(first["series_id"]), str(first["frequency"])
    if to not in TARGETS.get(source, ()):
        raise AggregationError(series_id, source, to)
    rule = RULES[str(first["indicator"])]
    frame = group.sort_values("period")
    target = normalise_periods(frame["period"], pd.Series(to, index=frame.index))
    grouped = frame.groupby(target)["value"]
    values: pd.Series = grouped.agg(rule)
    out = pd.DataFrame({"period": values.index, "value": values.to_numpy()})
    out["n_obs"] = grouped.size().to_numpy()
    out["expected"] = [_expected(p, source, to, combined=combined) for p in out["period"]]
    for column in ("series_id", "material", "indicator", "unit"):
        out[column] = first[column]
    out["frequency"] = to
    out["rule"] = rule
    slack = DAILY_SLACK[to] if source == "D" and to != "D" else 0
    out["complete"] = out["n_obs"] >= out["expected"] - slack
    return out[[*LONG_COLUMNS, "rule", "n_obs", "expected", "complete"]]


def _expected(start: pd.Timestamp, source: str, to: str, *, combined: bool) -> int:
    if source == to:
        return 1
    end = _target_end(start, to)
    if source == "D":
        days = pd.Series(pd.date_range(start, end, freq="D"))
        return max(int(trading_mask(days).sum()), 1)
    if source == "T":
        return len(pd.date_range(start, end, freq="MS")) * 3
    starts = pd.date_range(start, end, freq=_PANDAS_FREQ[source])
    if combined and source == "M":
        starts = starts[starts.month != 1]  # February carries January (module docstring)
    return max(len(starts), 1)


def _target_end(start: pd.Timestamp, to: str) -> pd.Timestamp:
    if to == "T":
        return (start + pd.Timedelta(days=9)) if start.day < 21 else start + pd.offsets.MonthEnd(0)
    if to == "W":
        return start + pd.Timedelta(days=6)
    step = {"M": pd.DateOffset(months=1), "Q": pd.DateOffset(months=3), "Y": pd.DateOffset(years=1)}
    return start + step[to] - pd.Timedelta(days=1)


@overload
def derivable(period_start: date, source_first: date) -> bool: ...
@overload
def derivable(period_start: pd.Series, source_first: pd.Series | pd.Timestamp) -> pd.Series: ...
def derivable(
    period_start: date | pd.Series, source_first: date | pd.Series | pd.Timestamp
) -> bool | pd.Series:
    """Whether the target period starting at ``period_start`` can be aggregated from a source
    whose history begins at ``source_first`` (its first period).

    Only a period that starts on or after the source's first period can: the source's history
    begins inside an earlier one, so its aggregate would cover part of the period only.
    Element-wise on pandas objects, where a missing first period (NaT: the source holds
    nothing) makes nothing derivable.
    """
    return period_start >= source_first


def spread_jan_feb(observations: pd.DataFrame, *, series_ids: Collection[str]) -> pd.DataFrame:
    """Split each Jan-Feb combined value (at February, no January row) into two halves.

    Returns the observations with an ``estimated`` column, True on the split rows. Only the
    listed monthly series are touched; a February with a published January is left as it is.
    """
    frame = observations.copy()
    frame["estimated"] = False
    periods = pd.to_datetime(frame["period"])
    keys = set(zip(frame["series_id"], periods, strict=True))
    february = (
        frame["series_id"].isin(series_ids) & (frame["frequency"] == "M") & (periods.dt.month == 2)
    )
    january_present = [
        (sid, p.replace(month=1)) in keys
        for sid, p in zip(frame["series_id"], periods, strict=True)
    ]
    split = february & ~pd.Series(january_present, index=frame.index)
    halves = frame[split].copy()
    halves["value"] = halves["value"] / 2
    halves["estimated"] = True
    januaries = halves.copy()
    januaries["period"] = pd.to_datetime(januaries["period"]).map(lambda p: p.replace(month=1))
    frame = pd.concat([frame[~split], januaries, halves], ignore_index=True)
    return frame.sort_values(["series_id", "period"], kind="stable").reset_index(drop=True)
