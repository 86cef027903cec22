"""Validating a long frame: every row accepted as an observation or refused with a reason.

Checks of text run once per distinct value (a million rows name a few thousand series,
materials and dates), and reasons are written only for the rows refused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import date
from typing import Final

import numpy as np
import pandas as pd

from feeds.longformat.columns import as_text, mask_by_distinct_value
from feeds.longformat.plausibility import implausible
from feeds.longformat.schema import (
    FIELD_LIMITS,
    INDICATORS,
    LONG_COLUMNS,
    SERIES_ID,
    ParsedBatch,
    SeriesSpec,
)
from feeds.periods import FREQUENCIES, normalise_periods
from vocabulary.text import CONTROL_CHARACTERS, control_character

Reason = Callable[[pd.DataFrame], pd.Series] | str
# Text a spreadsheet opening the data (or an export of it) would run as a formula.
FORMULA_LIKE: Final = r"[=+\-@\t\r]"
CONTROLS: Final = CONTROL_CHARACTERS.pattern
TEXT_COLUMNS: Final = tuple(name for name in LONG_COLUMNS if name not in ("period", "value"))


class Refusals:
    """The rows of a frame refused so far, each with the first reason it was given."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.refused = np.zeros(len(frame), dtype=bool)
        self.reasons = pd.Series("", index=frame.index, dtype=object)

    @property
    def ok(self) -> np.ndarray:
        return ~self.refused

    def add(self, mask: pd.Series | np.ndarray, why: Reason) -> None:
        """Refuse rows in ``mask`` not refused yet for ``why`` (built for those rows only)."""
        newly = np.asarray(mask, dtype=bool) & ~self.refused
        if not newly.any():
            return
        self.refused[newly] = True
        self.reasons[newly] = why if isinstance(why, str) else why(as_text(self.frame[newly]))


def validate_long_frame(
    frame: pd.DataFrame,
    *,
    source: str,
    known_materials: frozenset[str],
    known_series: Mapping[str, SeriesSpec],
    today: date | None,
) -> ParsedBatch:
    """Check every row and split the frame into accepted observations and rejected rows.

    A row is refused with the first reason that applies, in this order: wrong field count,
    a control character (a NUL, a line break) in a field, an empty field, text that looks
    like a spreadsheet formula, a series id that is not lower snake case, an unknown
    material / indicator / frequency, a bad date, a future period
    (unless ``today`` is None), a bad number, a value its indicator kind cannot have (a price
    at or below zero, a negative output, 1e308, 1e-320), a contradiction with its series, a
    duplicate period.
    """
    refusals = Refusals(frame)
    _check_fields(frame, refusals, known_materials)
    periods = _check_periods(frame, refusals, today)
    values = _check_values(frame, refusals)
    conflicts = pd.Series(_series_conflicts(frame, refusals.ok, known_series), index=frame.index)
    refusals.add(conflicts != "", lambda rows: conflicts[rows.index])
    _check_duplicates(frame, refusals, periods)

    ok = refusals.ok
    columns: dict[str, np.ndarray] = {
        name: np.asarray(frame[name], dtype=object)[ok]
        for name in LONG_COLUMNS
        if name not in ("period", "value")
    }
    columns["period"] = periods.to_numpy()[ok]
    columns["value"] = values.to_numpy(dtype=float)[ok]
    columns["line"] = frame["line"].to_numpy(dtype=np.int64)[ok]
    columns["raw"] = np.asarray(frame["raw"], dtype=object)[ok]
    observations = pd.DataFrame(columns)[[*LONG_COLUMNS, "line", "raw"]]
    rejects = pd.DataFrame(
        {
            "line": frame.loc[~ok, "line"],
            "raw": frame.loc[~ok, "raw"],
            "reason": refusals.reasons[~ok],
        }
    ).reset_index(drop=True)
    return ParsedBatch(
        source=source,
        observations=observations,
        rejects=rejects,
        new_series=_new_series(observations, known_series),
    )


def _check_fields(frame: pd.DataFrame, refusals: Refusals, known_materials: frozenset[str]) -> None:
    """Field count, empty fields, lengths, the series id's form and the known names."""
    width = int(frame.attrs.get("width", len(LONG_COLUMNS)))
    if "field_count" in frame:
        refusals.add(
            frame["field_count"] != width,
            lambda rows: f"expected {width} fields, found " + rows["field_count"].astype(str),
        )
    for column in LONG_COLUMNS:  # a NUL, a line break: never data, and NUL fails PostgreSQL
        refusals.add(_holds_control(frame[column]), _control_reason(column))
    for column in LONG_COLUMNS:
        refusals.add(frame[column] == "", f"empty {column}")
    for column in TEXT_COLUMNS:  # text a spreadsheet would run, e.g. a unit =HYPERLINK(...)
        refusals.add(
            mask_by_distinct_value(frame[column], lambda texts: texts.str.match(FORMULA_LIKE)),
            _formula_reason(column),
        )
    for column, limit in FIELD_LIMITS.items():
        refusals.add(_longer(frame[column], limit), f"{column} longer than {limit} characters")
    refusals.add(
        mask_by_distinct_value(frame["series_id"], lambda ids: ~ids.str.fullmatch(SERIES_ID)),
        lambda rows: "bad series_id '" + rows["series_id"] + "'; expected lower snake case",
    )
    refusals.add(
        mask_by_distinct_value(frame["material"], lambda names: ~names.isin(known_materials)),
        lambda rows: "unknown material '" + rows["material"] + "'",
    )
    for column, allowed in (("indicator", INDICATORS), ("frequency", FREQUENCIES)):
        _refuse_unknown(frame, refusals, column, allowed)


def _holds_control(column: pd.Series) -> np.ndarray:
    """Which cells hold a control character. All the column's text is looked at at once
    first (a million values in hundredths of a second): printable text holds none; only
    otherwise is each distinct value searched."""
    categorical = isinstance(column.dtype, pd.CategoricalDtype)
    distinct = column.cat.categories if categorical else column
    try:
        printable = "".join(distinct.tolist()).isprintable()
    except TypeError:  # a cell that is no text: look at each
        printable = False
    if printable:
        return np.zeros(len(column), dtype=bool)
    return mask_by_distinct_value(column, lambda texts: texts.astype(str).str.contains(CONTROLS))


def _control_reason(column: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda rows: rows[column].map(
        lambda text: f"{column} holds a control character ({control_character(text)})"
    )


def _formula_reason(column: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda rows: f"{column} '" + rows[column] + "' looks like a spreadsheet formula"


def _refuse_unknown(
    frame: pd.DataFrame, refusals: Refusals, column: str, allowed: tuple[str, ...]
) -> None:
    expected = f"'; expected one of {', '.join(allowed)}"
    refusals.add(
        mask_by_distinct_value(frame[column], lambda names: ~names.isin(allowed)),
        lambda rows: f"unknown {column} '" + rows[column] + expected,
    )


def _check_periods(frame: pd.DataFrame, refusals: Refusals, today: date | None) -> pd.Series:
    """Refuse bad dates and (unless ``today`` is None) future periods; return each row's
    period as its first day (NaT where the date or frequency is bad)."""
    periods = _normalised_periods(frame)
    refusals.add(
        mask_by_distinct_value(frame["period"], lambda texts: _parse_dates(texts).isna()),
        lambda rows: "bad date '" + rows["period"] + "'; expected YYYY-MM-DD",
    )
    if today is not None:  # None: history replays, where no period is "future"
        refusals.add(  # the period, not the date: 2026-11-30 names November, which has begun
            periods > pd.Timestamp(today),
            lambda rows: "period " + rows["period"] + " is in the future",
        )
    return periods


def _check_values(frame: pd.DataFrame, refusals: Refusals) -> pd.Series:
    """Refuse values that are not finite numbers, and values their indicator kind cannot
    have (:mod:`feeds.longformat.plausibility`: a price at or below zero, 1e308, 1e-320)."""
    values = pd.to_numeric(frame["value"], errors="coerce")
    refusals.add(
        values.isna() | ~np.isfinite(values), lambda rows: "bad number '" + rows["value"] + "'"
    )
    reasons = implausible(values, frame["indicator"], shown=frame["value"])
    refusals.add(reasons != "", lambda rows: reasons[rows.index])
    return values


def _check_duplicates(frame: pd.DataFrame, refusals: Refusals, periods: pd.Series) -> None:
    """Refuse a row repeating an accepted row's series and period, naming that row's line."""
    ok = refusals.ok
    first_lines = _first_line_of_duplicates(frame["series_id"][ok], periods[ok], frame["line"][ok])
    refusals.add(
        frame.index.isin(first_lines.index),
        lambda rows: (
            "duplicate of line " + first_lines[rows.index].astype(str) + " (same series and period)"
        ),
    )


def _longer(column: pd.Series, limit: int) -> np.ndarray:
    return mask_by_distinct_value(column, lambda texts: texts.str.len() > limit)


def _groups(columns: list[pd.Series]) -> tuple[np.ndarray, np.ndarray]:
    """Each row's group of equal values across ``columns``, numbered in order of first
    appearance, and the position of each group's first row."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        codes, distinct = pd.factorize(column, use_na_sentinel=False)
        key, _ = pd.factorize(key * len(distinct) + codes)
    return key, np.unique(key, return_index=True)[1]


def _parse_dates(texts: pd.Series) -> pd.Series:
    return pd.to_datetime(texts, format="%Y-%m-%d", errors="coerce")


def _normalised_periods(frame: pd.DataFrame) -> pd.Series:
    """Each row's period as the first day of the period its frequency names (NaT if the date
    or the frequency is bad), computed once per distinct date and frequency."""
    groups, first = _groups([frame["period"], frame["frequency"]])
    days = _parse_dates(pd.Series(np.asarray(frame["period"], dtype=object)[first]))
    frequencies = pd.Series(np.asarray(frame["frequency"], dtype=object)[first])
    datable = days.notna() & frequencies.isin(FREQUENCIES)
    starts = pd.Series(pd.NaT, index=days.index, dtype="datetime64[ns]")
    starts[datable] = normalise_periods(days[datable], frequencies[datable])
    return pd.Series(starts.to_numpy()[groups], index=frame.index)


def _first_line_of_duplicates(
    series_ids: pd.Series, periods: pd.Series, lines: pd.Series
) -> pd.Series:
    """For each row repeating an earlier row's series and period, that earlier row's line."""
    keys = pd.DataFrame(
        {"series": pd.factorize(series_ids)[0], "period": periods.to_numpy(dtype=np.int64)},
        index=series_ids.index,
    )
    repeated = keys.duplicated(keep="first")
    if not repeated.any():
        return pd.Series(dtype=np.int64)
    involved = keys.duplicated(keep=False)
    first = lines[involved].groupby([keys["series"][involved], keys["period"][involved]])
    return first.transform("min")[repeated[involved]].astype(np.int64)


_SPEC_FIELDS: Final[tuple[str, ...]] = ("material", "indicator", "frequency", "unit")


def _series_conflicts(
    frame: pd.DataFrame, candidate: np.ndarray, known_series: Mapping[str, SeriesSpec]
) -> np.ndarray:
    """Reasons for ``candidate`` rows that contradict their series ("" for the others): the
    stored series, or else the file's first row of it. Checked once per distinct row spec."""
    reasons = np.full(len(frame), "", dtype=object)
    rows = frame.loc[candidate, ["series_id", *_SPEC_FIELDS]]
    if rows.empty:
        return reasons
    groups, first = _groups([rows[name] for name in rows])
    specs = as_text(rows.iloc[first]).reset_index(drop=True)  # in order of first appearance
    expected = specs.drop_duplicates("series_id").set_index("series_id")
    stored = [asdict(known_series[i]) for i in expected.index if i in known_series]
    if stored:
        expected.update(pd.DataFrame(stored).set_index("series_id"))
    wanted = expected.reindex(specs["series_id"]).reset_index(drop=True)
    spec_reasons = pd.Series("", index=specs.index, dtype=object)
    for field in _SPEC_FIELDS:
        clash = (specs[field] != wanted[field]) & (spec_reasons == "")
        spec_reasons[clash] = (
            f"{field} '"
            + specs.loc[clash, field]
            + "' contradicts series '"
            + specs.loc[clash, "series_id"]
            + f"' whose {field} is '"
            + wanted.loc[clash, field]
            + "'"
        )
    reasons[candidate] = spec_reasons.to_numpy()[groups]
    return reasons


def _new_series(
    observations: pd.DataFrame, known_series: Mapping[str, SeriesSpec]
) -> tuple[SeriesSpec, ...]:
    fresh = observations[~observations["series_id"].isin(known_series.keys())]
    first = fresh.drop_duplicates("series_id")
    return tuple(
        SeriesSpec(
            str(row.series_id),
            str(row.material),
            str(row.indicator),
            str(row.frequency),
            str(row.unit),
        )
        for row in first.itertuples(index=False)
    )
