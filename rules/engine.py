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
from rules.paths import lookback_days, material_paths
from rules.reasons import Names
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
from rules.ruleset import RuleSet

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
    stale_series: frozenset[str] = frozenset(),
    names: Names | None = None,
) -> list[Assessment]:
    """One assessment per material present, for its latest step on or before ``as_of``.

    Only the tail of history the rules need is computed. Series in ``stale_series`` count as
    missing; a material with no fresh indicator is ``no_data``, never normal.
    """
    materials = sorted(str(m) for m in pd.unique(observations["material"]))
    cutoff = pd.Timestamp(as_of) - pd.Timedelta(days=lookback_days(ruleset) + WARMUP_DAYS)
    period = observations["period"]
    if not pd.api.types.is_datetime64_dtype(period.dtype):
        period = pd.to_datetime(period)
    tail = (period <= pd.Timestamp(as_of)) & (period >= cutoff)  # only the history needed
    obs = frames.prepare(observations[tail.to_numpy()])
    by_material = {p.material: p for p in material_paths(obs, ruleset, stale_series, names)}
    asof64 = np.datetime64(pd.Timestamp(as_of), "ns")
    stale_days = ruleset.model.timing.staleness_days
    out = []
    for material in materials:
        path = by_material.get(material)
        if path is None or len(path.periods) == 0:
            out.append(empty_assessment(material, as_of, ruleset.version))
            continue
        i = len(path.periods) - 1
        age = (asof64 - frames.period_end(path.periods[i:], path.freqs[i])[0]) / np.timedelta64(
            1, "D"
        )
        fresh = age <= stale_days.get(str(path.freqs[i]), 14)
        out.append(assessment(path, i, as_of, ruleset.version, names, fresh))
    return out
