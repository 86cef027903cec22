"""What an evaluation path says: per-step frames, assessments and their reasons."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from rules.indicators import Block
from rules.levels import CODE_LEVEL, Direction, Level
from rules.paths import MaterialPath
from rules.reasons import Names
from rules.threshold_scores import threshold_text

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


def _indicator_result(path: MaterialPath, i: int, j: int, names: Names | None) -> IndicatorResult:
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


def _explaining(path: MaterialPath) -> np.ndarray:
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


def _rule_ids(path: MaterialPath) -> np.ndarray:
    names = [b.rule_name for b, _ in path.cols]
    index = {name: i for i, name in enumerate(dict.fromkeys(names))}
    return np.array([index[name] for name in names], dtype=int)


def _reasons(path: MaterialPath, i: int, top: np.ndarray, names: Names | None) -> tuple[str, str]:
    js = [int(j) for j in top if j >= 0]
    if path.code[i] < 0 or not js:
        return "无有效数据", "no recent data"
    res = []
    for j in js:
        level, direction, _ = _indicator_level(float(path.up[i, j]), float(path.down[i, j]))
        res.append(path.writers[j](float(path.values[i, j]), level, direction.value))
    return "；".join(r[0] for r in res), "; ".join(r[1] for r in res)


def material_frame(path: MaterialPath, keep: np.ndarray, names: Names | None) -> pd.DataFrame:
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


def indicator_frame(path: MaterialPath, keep: np.ndarray, names: Names | None) -> pd.DataFrame:
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


def assessment(
    path: MaterialPath, i: int, as_of: date, version: str, names: Names | None, fresh: bool
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


def empty_assessment(material: str, as_of: date, version: str) -> Assessment:
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
