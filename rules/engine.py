"""The engine: observations + rule set -> levels per material and step, with reasons.

:func:`evaluate` replays a whole history (the backtest); :func:`assess_latest` gives the
latest step per material, computing only the tail of history that step needs. The work per
material is in :mod:`rules.paths`; turning it into frames and assessments in
:mod:`rules.results`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from rules import frames
from rules.detectors import DETECTORS
from rules.labels import series_label
from rules.levels import Direction, Level
from rules.paths import lookback_by_kind, lookback_days, material_paths
from rules.reasons import Names, ReasonWriter
from rules.results import (
    INDICATOR_COLUMNS,
    MATERIAL_COLUMNS,
    Assessment,
    IndicatorResult,
    assessment,
    empty_assessment,
    indicator_frame,
    material_frame,
)
from rules.ruleset import Rule, RuleSet
from rules.threshold_scores import threshold_text

__all__ = [
    "INDICATOR_COLUMNS",
    "MATERIAL_COLUMNS",
    "Assessment",
    "Evaluation",
    "IndicatorResult",
    "assess_latest",
    "evaluate",
]

#: Steps of history before the first reported step, so persistence/hysteresis have settled.
WARMUP_DAYS = 400


@dataclass
class Evaluation:
    """Every step of every material (``materials``) and, if asked, of every indicator."""

    materials: pd.DataFrame
    indicators: pd.DataFrame
    ruleset_version: str


def evaluate(
    observations: pd.DataFrame,
    ruleset: RuleSet,
    *,
    start: date | None = None,
    end: date | None = None,
    names: Names | None = None,
    with_indicators: bool = True,
) -> Evaluation:
    """Replay the rule set over the whole history of ``observations`` (long format).

    One row per material per step in ``materials``; ``indicators`` has one row per step and
    indicator (empty when ``with_indicators`` is False, which the backtest uses for speed).
    Steps before ``start`` are computed (history) but not reported.
    """
    obs = frames.prepare(observations)
    if end is not None:
        obs = obs[obs["period"] <= pd.Timestamp(end)]
    if start is not None:
        lookback = lookback_days(ruleset) + WARMUP_DAYS
        obs = obs[obs["period"] >= pd.Timestamp(start) - pd.Timedelta(days=lookback)]
    paths = material_paths(obs, ruleset, names=names)
    lo = np.datetime64(pd.Timestamp(start)) if start is not None else None
    mats, inds = [], []
    for path in paths:
        keep = np.ones(len(path.periods), dtype=bool) if lo is None else path.periods >= lo
        mats.append(material_frame(path, keep, names))
        if with_indicators:
            inds.append(indicator_frame(path, keep, names))
    materials = (
        pd.concat(mats, ignore_index=True) if mats else pd.DataFrame(columns=MATERIAL_COLUMNS)
    )
    indicators = (
        pd.concat(inds, ignore_index=True) if inds else pd.DataFrame(columns=INDICATOR_COLUMNS)
    )
    return Evaluation(materials=materials, indicators=indicators, ruleset_version=ruleset.version)


def assess_latest(
    observations: pd.DataFrame,
    ruleset: RuleSet,
    *,
    as_of: date,
    stale_ids: frozenset[str] = frozenset(),
    names: Names | None = None,
) -> list[Assessment]:
    """One assessment per material present, for its latest step on or before ``as_of``.

    Only the tail of history the rules need is computed. Series in ``stale_ids`` count as
    missing; a material with no fresh indicator is ``no_data``, never normal.
    """
    # one pass over the series ids: each series' first row, and which series have rows where
    series, ids = pd.factorize(observations["series_id"], use_na_sentinel=False)
    first_rows = np.unique(series, return_index=True)[1]
    materials = sorted({str(m) for m in observations["material"].to_numpy()[first_rows]})
    period = observations["period"]
    if not pd.api.types.is_datetime64_dtype(period.dtype):
        period = pd.to_datetime(period)
    upto = (period <= pd.Timestamp(as_of)).to_numpy()
    tail = upto & _needed(observations, period, ruleset, as_of)  # only the history needed
    obs = frames.prepare(observations[tail])
    warm = np.datetime64(pd.Timestamp(as_of) - pd.Timedelta(days=WARMUP_DAYS), "ns")
    paths = material_paths(obs, ruleset, stale_ids, names, steps_from=warm)
    by_material = {p.material: p for p in paths}
    in_tail = np.zeros(len(ids), dtype=bool)
    in_tail[series[tail]] = True
    older = upto & ~tail & ~in_tail[series]  # rows of series with none in the tail
    absent = absent_rows(observations[older], ruleset, names) if older.any() else {}
    asof64 = np.datetime64(pd.Timestamp(as_of), "ns")
    stale_days = ruleset.model.timing.staleness_days
    out = []
    for material in materials:
        path = by_material.get(material)
        gone = absent.get(material, ())
        if path is None or len(path.periods) == 0:
            out.append(empty_assessment(material, as_of, ruleset.version, gone))
            continue
        i = len(path.periods) - 1
        age = (asof64 - frames.period_end(path.periods[i:], path.freqs[i])[0]) / np.timedelta64(
            1, "D"
        )
        fresh = age <= stale_days.get(str(path.freqs[i]), 14)
        out.append(assessment(path, i, as_of, ruleset.version, names, fresh, gone))
    return out


def history_starts(ruleset: RuleSet, as_of: date) -> dict[str, date]:
    """The first period of each indicator kind that :func:`assess_latest` needs at ``as_of``
    (the rules' look-back plus WARMUP_DAYS for persistence and hysteresis to settle), and
    under ``"default"`` the one for kinds no rule reads. A caller that loads observations from
    a store needs only these: five years of stocks for a seasonal norm, about two of prices.
    Series whose last value is older can be passed as ``last_values`` instead."""
    by_kind = lookback_by_kind(ruleset)
    shortest = min(by_kind.values(), default=0)
    start = pd.Timestamp(as_of)
    out = {k: (start - pd.Timedelta(days=d + WARMUP_DAYS)).date() for k, d in by_kind.items()}
    out["default"] = (start - pd.Timedelta(days=shortest + WARMUP_DAYS)).date()
    return out


def _needed(
    observations: pd.DataFrame, period: pd.Series, ruleset: RuleSet, as_of: date
) -> np.ndarray:
    """Rows within :func:`history_starts` of their kind."""
    starts = history_starts(ruleset, as_of)
    when = period.to_numpy()
    needed = when >= np.datetime64(starts["default"])
    kind = observations["indicator"]
    for first in sorted({d for k, d in starts.items() if d < starts["default"]}):
        window = (when >= np.datetime64(first)) & ~needed
        if window.any():
            kinds = [k for k, d in starts.items() if d <= first and k != "default"]
            needed |= window & kind.isin(kinds).to_numpy()
    return needed


def _stale_rows(
    series_id: str, row: pd.Series, rules_of_material: list[Rule], names: Names | None
) -> list[IndicatorResult]:
    """One no-data row per rule reading the series, saying after which period it has none."""
    material, kind, freq = str(row["material"]), str(row["indicator"]), str(row["frequency"])
    since = str(pd.Timestamp(row["period"]).date())
    out = []
    for rule in rules_of_material:
        detector = DETECTORS[rule.detector](rule.params)
        if detector.cross or rule.indicator != kind or freq not in rule.frequencies:
            continue
        writer = ReasonWriter(
            rule=rule,
            phrase=detector.describe(freq),
            unit=detector.unit,
            subject=series_label(series_id, material, kind, names),
        )
        zh, en = writer.stale(since)
        out.append(
            IndicatorResult(
                indicator=rule.name,
                detector=rule.detector,
                series_id=series_id,
                value=None,
                thresholds=threshold_text(rule.up, rule.down, detector.unit),
                level=Level.NO_DATA,
                direction=Direction.NONE,
                score=None,
                reason_zh=zh,
                reason_en=en,
                role=rule.role,
            )
        )
    return out


def absent_rows(
    older: pd.DataFrame, ruleset: RuleSet, names: Names | None
) -> dict[str, tuple[IndicatorResult, ...]]:
    """Indicator rows for series whose last value is older than the history computed
    (``older``: those series' rows, none of them in the history computed).

    Such a series (e.g. monthly output that stopped two years ago) has no column in the
    material's path; it stays in the assessment as a row saying after which period it has
    no data, rather than vanishing.
    """
    if older.empty:
        return {}
    last = older.groupby(older["series_id"].astype(str), observed=True).agg(
        material=("material", "first"),
        indicator=("indicator", "first"),
        frequency=("frequency", "first"),
        period=("period", "max"),
    )
    out: dict[str, list[IndicatorResult]] = {}
    for series_id, row in last.iterrows():
        material = str(row["material"])
        rows = _stale_rows(str(series_id), row, ruleset.rules_for(material), names)
        out.setdefault(material, []).extend(rows)
    return {m: tuple(rows) for m, rows in out.items()}
