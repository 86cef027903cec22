"""``warning backtest``: replay the rule engine over a long CSV, without a database.

The same engine code the service runs, fed from a file that is validated exactly like
``warning ingest-file`` input. See :func:`run_backtest`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

import rules
from feeds.longformat import FileFormatError, parse_long_file
from vocabulary import WARNING_LEVELS, Level
from warning.errors import Invalid

#: The first six columns are the contract; the rest say why each level stands (docs/rules.md).
OUT_COLUMNS = [
    "material",
    "period",
    "level",
    "direction",
    "score",
    "reasons",
    "basis",
    "indicator_level",
    "indicator_direction",
    "since",
    "last_confirmed",
    "earliest_change",
]
DATE_COLUMNS = ("period", "since", "last_confirmed", "earliest_change")


class BacktestInputError(Invalid):
    """The input CSV is unreadable or a row is malformed; the message names file and line
    (the header is line 1) and what was expected."""


def read_observations(
    path: Path, known_materials: set[str], *, max_bytes: int | None = None
) -> pd.DataFrame:
    """Read a long CSV with the same validation (and size cap, ``max_bytes``) as ``warning
    ingest-file``.

    Any refused row is an error naming its line (the header is line 1) and the reason; the
    backtest does not run on partial data.
    """
    try:
        batch = parse_long_file(
            path,
            known_materials=frozenset(known_materials),
            known_series={},
            today=None,
            max_bytes=max_bytes,
        )
    except FileFormatError as error:
        raise BacktestInputError(str(error)) from None
    if not batch.rejects.empty:
        first = batch.rejects.iloc[0]
        more = len(batch.rejects) - 1
        tail = f" (and {more} more refused rows)" if more else ""
        raise BacktestInputError(f"{path}: line {first['line']}: {first['reason']}{tail}")
    return batch.observations.drop(columns=["line", "raw"])


def check_period(
    obs: pd.DataFrame, path: Path, date_from: date | None, date_to: date | None
) -> None:
    """Raise :class:`BacktestInputError` when no observation falls between the two dates."""
    if obs.empty:
        raise BacktestInputError(f"no observations in {path}: the file has a header but no rows")
    periods = pd.to_datetime(obs["period"])
    inside = pd.Series(True, index=obs.index)
    if date_from is not None:
        inside &= periods >= pd.Timestamp(date_from)
    if date_to is not None:
        inside &= periods <= pd.Timestamp(date_to)
    if not inside.any():
        raise BacktestInputError(
            f"no observations in {path} {_span(date_from, date_to)} "
            f"(the file covers {periods.min():%Y-%m-%d} .. {periods.max():%Y-%m-%d})"
        )


def _span(date_from: date | None, date_to: date | None) -> str:
    if date_from is not None and date_to is not None:
        return f"between {date_from} and {date_to}"
    if date_from is not None:
        return f"from {date_from} on"
    if date_to is not None:
        return f"up to {date_to}"
    return "over its whole span"


def episodes(levels: pd.DataFrame) -> list[tuple[pd.Timestamp, pd.Timestamp, str, str]]:
    """Runs of consecutive warning steps (blue or above) as (first, last, peak level, direction)."""
    lv = levels.reset_index(drop=True)
    warn = lv["level"].isin(WARNING_LEVELS).to_numpy()
    dirn = lv["direction"].fillna("").to_numpy()
    if not warn.any():
        return []
    starts = np.flatnonzero(np.r_[True, (warn[1:] != warn[:-1]) | (dirn[1:] != dirn[:-1])])
    ends = np.r_[starts[1:], len(lv)] - 1
    rank = lv["level"].map({"blue": 1, "yellow": 2, "red": 3}).fillna(0).to_numpy()
    peaks = np.maximum.reduceat(rank, starts)  # one pass over all runs, no groupby
    periods = pd.DatetimeIndex(lv["period"])
    names = {1: "blue", 2: "yellow", 3: "red"}
    return [
        (periods[int(a)], periods[int(b)], names[int(peak)], str(dirn[a]))
        for a, b, peak in zip(starts, ends, peaks, strict=True)
        if warn[a]
    ]


def summarise(levels: pd.DataFrame, echo: Callable[[str], None]) -> None:
    """Per material: steps at each level, level changes and the warning episodes."""
    order = [Level.NORMAL, *WARNING_LEVELS, Level.NO_DATA]
    for material, lv in levels.groupby("material", sort=True):
        lv = lv.sort_values("period")
        counts = lv["level"].value_counts()
        state = lv["level"] + ":" + lv["direction"].fillna("")
        changes = int((state != state.shift()).sum() - 1)
        echo(
            f"{material}: {len(lv)} steps "
            f"({lv['period'].min():%Y-%m-%d} .. {lv['period'].max():%Y-%m-%d}); "
            + ", ".join(f"{k} {int(counts.get(k, 0))}" for k in order)
            + f"; {changes} level changes"
        )
        eps = episodes(lv)
        shown = [e for e in eps if e[2] in ("yellow", "red")]
        for first, last, peak, direction in shown:
            span = f"{first:%Y-%m-%d}" if first == last else f"{first:%Y-%m-%d} .. {last:%Y-%m-%d}"
            echo(f"    {span}  {peak} {direction}")
        blue_only = len(eps) - len(shown)
        if blue_only:
            echo(f"    (+{blue_only} blue-only episodes)")


def write_levels(levels: pd.DataFrame, out: Path) -> None:
    """The output CSV (:data:`OUT_COLUMNS`), built column-wise and written in one go:
    pandas' writer formats the 50,000-row, 500-character reasons field by field."""
    columns = []
    for name in OUT_COLUMNS:
        values = levels[name]
        if name in DATE_COLUMNS:
            days = values.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
            text = np.where(np.isnat(days), "", np.datetime_as_string(days)).tolist()
        elif name == "score":
            number = values.to_numpy(dtype=float)
            text = [f"{x:.2f}" if x == x else "" for x in number]
        else:
            text = _quoted(values.fillna("").astype(str).tolist())
        columns.append(text)
    rows = (",".join(fields) for fields in zip(*columns, strict=True))
    out.write_text("\n".join([",".join(OUT_COLUMNS), *rows]) + "\n", encoding="utf-8")


def _quoted(texts: list[str]) -> list[str]:
    """CSV quoting of a column in which some field needs it (a comma, a quote or a line
    break): every field of it is quoted, which CSV allows."""
    if not any("," in t or '"' in t or "\n" in t or "\r" in t for t in texts):
        return texts
    return ['"' + t.replace('"', '""') + '"' for t in texts]


def run_backtest(
    data: Path,
    out: Path,
    rules_path: Path | None,
    date_from: date | None,
    date_to: date | None,
    plot_dir: Path | None,
    known_materials: set[str],
    echo: Callable[[str], None],
    *,
    names: Mapping[str, tuple[str, str]] | None = None,
    max_bytes: int | None = None,
) -> int:
    """Backtest the rule set on a long CSV (at most ``max_bytes``); write ``out`` and optional
    plots; return 0.

    Raises :class:`BacktestInputError` for a bad input file, a file without observations
    between ``date_from`` and ``date_to``, or ``date_from`` later than ``date_to``; and
    ``rules.RuleSetError`` for a bad rule set or one that configures a material not in
    ``known_materials`` (the CLI turns both into a message and exit code 2).
    """
    if date_from is not None and date_to is not None and date_from > date_to:
        raise BacktestInputError(f"--from {date_from} is later than --to {date_to}")
    ruleset = rules.load_ruleset(rules_path)
    rules.check_materials(ruleset, known_materials)
    obs = read_observations(data, known_materials, max_bytes=max_bytes)
    check_period(obs, data, date_from, date_to)
    ev = rules.evaluate(
        obs, ruleset, start=date_from, end=date_to, names=names, with_indicators=False
    )
    levels = ev.materials
    if levels.empty:
        raise BacktestInputError(
            f"no evaluation steps for {data} {_span(date_from, date_to)}: "
            f"no rule of rule set {ruleset.version} applies to its series"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    write_levels(levels, out)
    echo(
        f"rule set {ruleset.version}: {len(levels)} steps for "
        f"{levels['material'].nunique()} materials written to {out}"
    )
    summarise(levels, echo)
    if plot_dir is not None:
        from rules.plot import plot_material  # imported here: matplotlib loads in ~1 s

        for material in sorted(levels["material"].unique()):
            plot_material(material, obs, levels, plot_dir, names=names)
        echo(f"plots written to {plot_dir}")
    return 0
