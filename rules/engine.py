"""The engine: observations + rule set -> levels per material and step, with reasons.

:func:`evaluate` replays a whole history (the backtest); :func:`assess_latest` gives the
latest step per material, computing only the tail of history that step needs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from rules import frames
from rules.combine import combine_scores, latch_levels, resolve
from rules.indicators import Block, build_blocks
from rules.levels import CODE_LEVEL, Direction, Level
from rules.reasons import Names, ReasonWriter
from rules.ruleset import RuleSet
from rules.scores import threshold_text

MATERIAL_COLUMNS = ["material", "period", "level", "direction", "score", "reasons"]
INDICATOR_COLUMNS = [
    "material",
    "period",
    "indicator",
    "series_id",
    "value",
    "thresholds",
    "level",
    "direction",
    "reason_zh",
    "reason_en",
]
#: Steps of history before the first reported step, so persistence/hysteresis have settled.
WARMUP_DAYS = 400


@dataclass(frozen=True)
class IndicatorResult:
    """One indicator of one series (or material) at one step."""

    indicator: str  # rule name
    detector: str
    series_id: str
    value: float | None
    thresholds: str
    level: Level
    direction: Direction
    score: float | None
    reason_zh: str
    reason_en: str


@dataclass(frozen=True)
class Assessment:
    """A material's level at its latest step on or before ``as_of``."""

    material: str
    as_of: date
    period: date | None
    level: Level
    direction: Direction
    score: float | None
    reasons_zh: str
    reasons_en: str
    ruleset_version: str
    indicators: tuple[IndicatorResult, ...]


@dataclass
class Evaluation:
    """Every step of every material (``materials``) and, if asked, of every indicator."""

    materials: pd.DataFrame
    indicators: pd.DataFrame
    ruleset_version: str


@dataclass
class _Path:
    """One material's aligned indicators and resulting levels over its steps."""

    material: str
    periods: np.ndarray
    freqs: np.ndarray
    cols: list[tuple[Block, int]]
    writers: list[ReasonWriter]
    values: np.ndarray
    up: np.ndarray
    down: np.ndarray
    code: np.ndarray
    direction: np.ndarray
    score: np.ndarray


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
        lookback = _lookback_days(ruleset) + WARMUP_DAYS
        obs = obs[obs["period"] >= pd.Timestamp(start) - pd.Timedelta(days=lookback)]
    paths = _paths(obs, ruleset, names=names)
    lo = np.datetime64(pd.Timestamp(start)) if start is not None else None
    mats, inds = [], []
    for path in paths:
        keep = np.ones(len(path.periods), dtype=bool) if lo is None else path.periods >= lo
        mats.append(_material_frame(path, keep, names))
        if with_indicators:
            inds.append(_indicator_frame(path, keep, names))
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
    cutoff = pd.Timestamp(as_of) - pd.Timedelta(days=_lookback_days(ruleset) + WARMUP_DAYS)
    period = observations["period"]
    if not pd.api.types.is_datetime64_dtype(period.dtype):
        period = pd.to_datetime(period)
    tail = (period <= pd.Timestamp(as_of)) & (period >= cutoff)  # only the history needed
    obs = frames.prepare(observations[tail.to_numpy()])
    by_material = {p.material: p for p in _paths(obs, ruleset, stale_series, names)}
    asof64 = np.datetime64(pd.Timestamp(as_of), "ns")
    stale_days = ruleset.model.timing.staleness_days
    out = []
    for material in materials:
        path = by_material.get(material)
        if path is None or len(path.periods) == 0:
            out.append(_empty_assessment(material, as_of, ruleset.version))
            continue
        i = len(path.periods) - 1
        age = (asof64 - frames.period_end(path.periods[i:], path.freqs[i])[0]) / np.timedelta64(
            1, "D"
        )
        fresh = age <= stale_days.get(str(path.freqs[i]), 14)
        out.append(_assessment(path, i, as_of, ruleset.version, names, fresh))
    return out


def _lookback_days(ruleset: RuleSet) -> int:
    from rules.detectors import DETECTORS

    rules = list(ruleset.model.rules)
    for spec in ruleset.model.materials.values():
        rules += spec.rules
    days = [DETECTORS[r.detector](r.params).lookback_days(f) for r in rules for f in r.frequencies]
    return max(days, default=0)


def _paths(
    obs: pd.DataFrame,
    ruleset: RuleSet,
    stale: frozenset[str] = frozenset(),
    names: Names | None = None,
) -> list[_Path]:
    wides = {f: frames.wide(obs, f) for f in obs["frequency"].unique()}
    blocks = build_blocks(obs, ruleset, wides)
    out = []
    for material, group in obs.groupby("material", sort=True, observed=True):
        out.append(_material_path(str(material), group, blocks, ruleset, stale, names))
    return out


def _material_path(
    material: str,
    obs: pd.DataFrame,
    blocks: list[Block],
    ruleset: RuleSet,
    stale: frozenset[str],
    names: Names | None,
) -> _Path:
    periods, asof, freqs = frames.material_steps(obs)
    staleness = ruleset.model.timing.staleness_days
    cols: list[tuple[Block, int]] = []
    parts: dict[str, list[np.ndarray]] = {"values": [], "up": [], "down": []}
    for block in blocks:
        idx = block.by_material.get(material)
        if idx is None or len(idx) == 0:
            continue
        row = np.searchsorted(block.avail, asof, side="right") - 1
        ok_row = row >= 0
        r = np.maximum(row, 0)
        rows_cols = np.ix_(r, idx)
        known = block.known_at[rows_cols]
        limit = np.timedelta64(staleness.get(block.freq, 100), "D")
        fresh = ok_row[:, None] & (known <= asof[:, None]) & (asof[:, None] - known <= limit)
        fresh &= ~np.isin(np.asarray(block.series_ids)[idx], list(stale))[None, :]
        for key in parts:
            arr = getattr(block, key)[rows_cols]
            parts[key].append(np.where(fresh, arr, np.nan))
        cols += [(block, int(i)) for i in idx]
    n = len(periods)
    values, up, down = (np.hstack(parts[k]) if parts[k] else np.empty((n, 0)) for k in parts)
    _keep_finest(cols, up, down, ruleset.model.timing.finest_only)
    roles = [b.rules[i].role for b, i in cols]
    cfg = ruleset.model.combine
    rule_names = [b.rule_name for b, _ in cols]
    vetoing = [b.rules[i].vetoes for b, i in cols]
    raw_up, veto_up = combine_scores(up, down, roles, cfg, rule_names, vetoing)
    raw_down, veto_down = combine_scores(down, up, roles, cfg, rule_names, vetoing)
    persist = np.array([_persist_row(ruleset, f) for f in freqs], dtype=int).reshape(n, 3)
    hyst = ruleset.model.hysteresis
    release = np.array([hyst.steps_for(str(f)) for f in freqs], dtype=int)
    level_up = latch_levels(raw_up, persist, release, hyst.margin, veto_up)
    level_down = latch_levels(raw_down, persist, release, hyst.margin, veto_down)
    code, direction, score = resolve(level_up, level_down, raw_up, raw_down)
    writers = [
        ReasonWriter(
            rule=b.rules[c],
            phrase=b.detector.describe(b.freq),
            unit=b.detector.unit,
            material=material,
            names=names,
        )
        for b, c in cols
    ]
    return _Path(material, periods, freqs, cols, writers, values, up, down, code, direction, score)


def _keep_finest(
    cols: list[tuple[Block, int]], up: np.ndarray, down: np.ndarray, kinds: Sequence[str]
) -> None:
    """Blank (in place) the scores of coarser series where a finer one of the kind has data."""
    for kind in kinds:
        sel = np.array(
            [b.rules[c].indicator == kind and not b.detector.cross for b, c in cols], dtype=bool
        )
        if not sel.any():
            continue
        rank = np.array([frames.FREQ_ORDER.index(b.src_freq) for b, _ in cols], dtype=float)
        has = ~(np.isnan(up) & np.isnan(down)) & sel[None, :]
        finest = np.min(np.where(has, rank[None, :], np.inf), axis=1, keepdims=True)
        coarse = sel[None, :] & (rank[None, :] > finest)
        up[coarse] = np.nan
        down[coarse] = np.nan


def _persist_row(ruleset: RuleSet, freq: Any) -> tuple[int, int, int]:
    p = ruleset.persistence_for(str(freq))
    return (p.blue, p.yellow, p.red)


_DIR = {1: Direction.UP, -1: Direction.DOWN, 0: Direction.NONE}


def _indicator_level(up: float, down: float) -> tuple[Level, Direction, float | None]:
    up_nan, down_nan = math.isnan(up), math.isnan(down)
    if up_nan and down_nan:
        return Level.NO_DATA, Direction.NONE, None
    u = 0.0 if up_nan else up
    d = 0.0 if down_nan else down
    s = max(u, d)
    level = CODE_LEVEL[int(min(max(math.floor(s), 0), 3))]
    direction = (
        Direction.NONE if level == Level.NORMAL else (Direction.UP if u >= d else Direction.DOWN)
    )
    return level, direction, round(s, 2)


def _indicator_result(path: _Path, i: int, j: int, names: Names | None) -> IndicatorResult:
    block, col = path.cols[j]
    rule = block.rules[col]
    value = float(path.values[i, j])
    level, direction, score = _indicator_level(float(path.up[i, j]), float(path.down[i, j]))
    zh, en = path.writers[j](value, level, direction.value)
    return IndicatorResult(
        indicator=rule.name,
        detector=rule.detector,
        series_id=block.series_ids[col],
        value=None if math.isnan(value) else round(value, 4),
        thresholds=_thresholds(block, col),
        level=level,
        direction=direction,
        score=score,
        reason_zh=zh,
        reason_en=en,
    )


def _thresholds(block: Block, col: int) -> str:
    rule = block.rules[col]
    return threshold_text(rule.up, rule.down, block.detector.unit)


def _explaining(path: _Path) -> np.ndarray:
    """Scores that explain each step: the material's direction, signal and supply rules only."""
    d = path.direction[:, None]
    s = np.where(d > 0, path.up, np.where(d < 0, path.down, np.fmax(path.up, path.down)))
    roles = np.array([b.rules[c].role for b, c in path.cols])
    s = np.where(np.isin(roles, ("signal", "supply"))[None, :], s, np.nan)
    return np.where(np.isnan(s), -1.0, s)


def _top_indicators(
    scores: np.ndarray, k: int = 2, rule_ids: np.ndarray | None = None
) -> np.ndarray:
    """Per step, the best indicator and the best of a *different* rule (-1 where none)."""
    n, m = scores.shape
    if m == 0:
        return np.full((n, k), -1)
    rule_ids = np.arange(m) if rule_ids is None else rule_ids
    order = np.argsort(-scores, axis=1, kind="stable")
    first = order[:, 0]
    other = rule_ids[order] != rule_ids[first][:, None]
    pos = np.where(other.any(axis=1), other.argmax(axis=1), 0)
    second = np.where(other.any(axis=1), order[np.arange(n), pos], -1)
    best = scores[np.arange(n), first]
    second_score = np.where(second >= 0, scores[np.arange(n), np.maximum(second, 0)], -1.0)
    # a second reason only when it is itself a warning
    out = np.stack([np.where(best >= 0, first, -1), np.where(second_score >= 1.0, second, -1)], 1)
    return out[:, :k]


def _rule_ids(path: _Path) -> np.ndarray:
    names = [b.rule_name for b, _ in path.cols]
    index = {name: i for i, name in enumerate(dict.fromkeys(names))}
    return np.array([index[name] for name in names], dtype=int)


def _reasons(path: _Path, i: int, top: np.ndarray, names: Names | None) -> tuple[str, str]:
    js = [int(j) for j in top if j >= 0]
    if path.code[i] < 0 or not js:
        return "无有效数据", "no recent data"
    res = []
    for j in js:
        level, direction, _ = _indicator_level(float(path.up[i, j]), float(path.down[i, j]))
        res.append(path.writers[j](float(path.values[i, j]), level, direction.value))
    return "；".join(r[0] for r in res), "; ".join(r[1] for r in res)


def _material_frame(path: _Path, keep: np.ndarray, names: Names | None) -> pd.DataFrame:
    idx = np.flatnonzero(keep)
    tops = _top_indicators(_explaining(path)[idx], rule_ids=_rule_ids(path))
    reasons = []
    for row, i in enumerate(idx):  # text only; every number was computed vectorised above
        zh, en = _reasons(path, int(i), tops[row], names)
        reasons.append(f"{zh} | {en}")
    return pd.DataFrame(
        {
            "material": path.material,
            "period": pd.to_datetime(path.periods[idx]),
            "level": [CODE_LEVEL[int(c)].value for c in path.code[idx]],
            "direction": [_DIR[int(d)].value for d in path.direction[idx]],
            "score": path.score[idx],
            "reasons": reasons,
        },
        columns=MATERIAL_COLUMNS,
    )


def _indicator_frame(path: _Path, keep: np.ndarray, names: Names | None) -> pd.DataFrame:
    rows = []
    for i in np.flatnonzero(keep):
        for j in range(len(path.cols)):
            r = _indicator_result(path, int(i), j, names)
            rows.append(
                (
                    path.material,
                    path.periods[i],
                    r.indicator,
                    r.series_id,
                    r.value,
                    r.thresholds,
                    r.level.value,
                    r.direction.value,
                    r.reason_zh,
                    r.reason_en,
                )
            )
    frame = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    frame["period"] = pd.to_datetime(frame["period"])
    return frame


def _assessment(
    path: _Path, i: int, as_of: date, version: str, names: Names | None, fresh: bool
) -> Assessment:
    indicators = tuple(_indicator_result(path, i, j, names) for j in range(len(path.cols)))
    code = int(path.code[i]) if fresh else -1
    level = CODE_LEVEL[code]
    if code < 0:
        zh, en = "无最新数据（数据缺失或已过期）", "no recent data (missing or stale)"
        return Assessment(
            path.material,
            as_of,
            pd.Timestamp(path.periods[i]).date(),
            level,
            Direction.NONE,
            None,
            zh,
            en,
            version,
            indicators,
        )
    zh, en = _reasons(
        path, i, _top_indicators(_explaining(path)[i : i + 1], rule_ids=_rule_ids(path))[0], names
    )
    score = float(path.score[i])
    return Assessment(
        path.material,
        as_of,
        pd.Timestamp(path.periods[i]).date(),
        level,
        _DIR[int(path.direction[i])],
        score,
        zh,
        en,
        version,
        indicators,
    )


def _empty_assessment(material: str, as_of: date, version: str) -> Assessment:
    return Assessment(
        material,
        as_of,
        None,
        Level.NO_DATA,
        Direction.NONE,
        None,
        "无最新数据",
        "no recent data",
        version,
        (),
    )
