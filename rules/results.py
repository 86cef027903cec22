"""What an evaluation path says: per-step frames and assessments, with their basis and reasons."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd

from rules.basis import BASIS_ORDER, Basis, LevelBasis, level_basis
from rules.explain import Explainer, cell_levels, indicator_level, iso
from rules.indicators import Block
from rules.levels import CODE_LEVEL, Direction, Level
from rules.paths import MaterialPath
from rules.reasons import Names
from rules.threshold_scores import threshold_text, value_at_score

#: The first six are the backtest's contract; the rest say why each level stands.
MATERIAL_COLUMNS = [
    "material",
    "period",
    "level",
    "direction",
    "score",
    "reasons",
    "basis",
    "indicator_level",
    "indicator_direction",
    "target_level",
    "target_direction",
    "basis_count",
    "basis_needed",
    "since",
    "last_confirmed",
    "earliest_change",
    "veto_rule",
    "veto_value",
    "veto_threshold",
    "supply_backing",
]
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
    role: str = "signal"  # signal, supply, veto or info (rules.ruleset.Rule.role)


@dataclass(frozen=True)
class Assessment:
    """A material's level at its latest step on or before ``as_of``, and why it stands."""

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
    basis: LevelBasis = field(default_factory=LevelBasis.no_data)


_DIR = {1: Direction.UP, -1: Direction.DOWN, 0: Direction.NONE}
_LEVEL_TEXT = np.array([CODE_LEVEL[c].value for c in (0, 1, 2, 3, -1)], dtype=object)
_DIR_TEXT = np.array(["", "up", "down"], dtype=object)  # index by direction (+1 / -1 / 0)
_BASIS_TEXT = np.array([b.value for b in BASIS_ORDER], dtype=object)


def _thresholds(block: Block, col: int) -> str:
    rule = block.rules[col]
    return threshold_text(rule.up, rule.down, block.detector.unit)


def _indicator_result(path: MaterialPath, explainer: Explainer, i: int, j: int) -> IndicatorResult:
    block, col = path.cols[j]
    rule = block.rules[col]
    value = float(path.values[i, j])
    level, direction, score = indicator_level(float(path.up[i, j]), float(path.down[i, j]))
    zh, en = explainer.cell(i, j)
    return IndicatorResult(
        indicator=rule.name,
        detector=rule.detector,
        series_id=block.series_ids[col],
        value=None if level == Level.NO_DATA else round(value, 4),
        thresholds=_thresholds(block, col),
        level=level,
        direction=direction,
        score=score,
        reason_zh=zh,
        reason_en=en,
        role=rule.role,
    )


def _veto_facts(path: MaterialPath, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per step: the veto rule's name, its value and its threshold (None / NaN where the
    step is not vetoed)."""
    b = path.basis
    cols, blocked = b.veto_col[idx], b.target_dir[idx]
    rows = np.flatnonzero(cols >= 0)
    names = np.full(len(idx), None, dtype=object)
    values = np.full(len(idx), np.nan)
    limits = np.full(len(idx), np.nan)
    if not rows.size:
        return names, values, limits
    j, d = cols[rows], blocked[rows]
    values[rows] = np.round(path.values[idx[rows], j], 4)
    names[rows] = np.array([blk.rules[c].name for blk, c in path.cols], dtype=object)[j]
    for jj, dd in set(zip(j.tolist(), d.tolist(), strict=True)):
        rule = path.cols[jj][0].rules[path.cols[jj][1]]
        # the veto fires on the other direction's score: that side of the rule
        side = "down" if (dd > 0) != rule.invert else "up"
        limit = value_at_score(rule.down if side == "down" else rule.up, side, path.veto_level)
        limits[rows[(j == jj) & (d == dd)]] = np.nan if limit is None else limit
    return names, values, limits


def _optional_ints(values: np.ndarray) -> pd.Series:
    """Nullable integers: -1 (not applicable) becomes <NA>."""
    return pd.Series(values, dtype="Int64").where(values >= 0)


def material_frame(path: MaterialPath, keep: np.ndarray, names: Names | None) -> pd.DataFrame:
    """One row per kept step: level, direction, score, reasons and the basis columns."""
    idx = np.flatnonzero(keep)
    b = path.basis
    zh, en = Explainer(path).reasons(idx)
    reasons = zh + " | " + en
    veto_rule, veto_value, veto_threshold = _veto_facts(path, idx)
    kind = b.kind[idx]
    capped = kind == BASIS_ORDER.index(Basis.CAPPED)
    count, needed = b.count[idx], b.needed[idx]
    return pd.DataFrame(
        {
            "material": path.material,
            "period": pd.to_datetime(path.periods[idx]),
            "level": _LEVEL_TEXT[path.code[idx]],
            "direction": _DIR_TEXT[path.direction[idx]],
            "score": path.score[idx],
            "reasons": reasons,
            "basis": _BASIS_TEXT[kind],
            "indicator_level": _LEVEL_TEXT[b.ind_code[idx]],
            "indicator_direction": _DIR_TEXT[b.ind_dir[idx]],
            "target_level": _LEVEL_TEXT[b.target_code[idx]],
            "target_direction": _DIR_TEXT[b.target_dir[idx]],
            "basis_count": _optional_ints(count),
            "basis_needed": _optional_ints(needed),
            "since": b.since[idx],
            "last_confirmed": b.last_confirmed[idx],
            "earliest_change": b.earliest[idx],
            "veto_rule": veto_rule,
            "veto_value": veto_value,
            "veto_threshold": veto_threshold,
            "supply_backing": pd.Series(b.backed[idx], dtype="boolean").where(capped),
        },
        columns=MATERIAL_COLUMNS,
    )


def indicator_frame(path: MaterialPath, keep: np.ndarray, names: Names | None) -> pd.DataFrame:
    """One row per kept step and indicator."""
    explainer = Explainer(path)
    idx = np.flatnonzero(keep)
    parts = []
    for j, (block, col) in enumerate(path.cols):
        rule = block.rules[col]
        code, direction, none = cell_levels(path.up[idx, j], path.down[idx, j])
        zh, en = explainer.cells(j, idx)
        parts.append(
            pd.DataFrame(
                {
                    "material": path.material,
                    "period": path.periods[idx],
                    "indicator": rule.name,
                    "series_id": block.series_ids[col],
                    "value": np.where(none, np.nan, np.round(path.values[idx, j], 4)),
                    "thresholds": _thresholds(block, col),
                    "level": _LEVEL_TEXT[code],
                    "direction": _DIR_TEXT[direction],
                    "reason_zh": zh,
                    "reason_en": en,
                },
                columns=INDICATOR_COLUMNS,
            )
        )
    if not parts:
        return pd.DataFrame(columns=INDICATOR_COLUMNS)
    frame = pd.concat(parts, ignore_index=True)
    order = np.argsort(np.tile(np.arange(len(idx)), len(parts)), kind="stable")
    frame = frame.iloc[order].reset_index(drop=True)  # step by step, indicators in order
    frame["period"] = pd.to_datetime(frame["period"])
    return frame


def assessment(
    path: MaterialPath,
    i: int,
    as_of: date,
    version: str,
    names: Names | None,
    fresh: bool,
    absent: tuple[IndicatorResult, ...] = (),
) -> Assessment:
    """The assessment of step ``i``; ``absent`` are rows for series with no recent data at
    all (outside the history computed), which stay as rows saying so."""
    explainer = Explainer(path)
    indicators = tuple(_indicator_result(path, explainer, i, j) for j in range(len(path.cols)))
    indicators += absent
    period = pd.Timestamp(path.periods[i]).date()
    if not fresh or path.code[i] < 0:
        zh, en = "无最新数据（数据缺失或已过期）。", "No recent data (missing or stale). "
        return Assessment(
            path.material, as_of, period, Level.NO_DATA, Direction.NONE, None, zh, en,
            version, indicators, LevelBasis.no_data(),
        )  # fmt: skip
    idx = np.array([i])
    supply = int(explainer.supply_choice(idx)[0])
    zhs, ens = explainer.reasons(idx)
    zh, en = str(zhs[0]), str(ens[0])
    if supply < 0 and absent:
        zh, en = _with_absent_supply(zh, en, absent)
    basis = level_basis(path.basis, i)
    names_, values, limits = _veto_facts(path, idx)
    if names_[0] is not None:
        basis = replace(
            basis,
            veto_rule=str(names_[0]),
            veto_value=_float(values[0]),
            veto_threshold=_float(limits[0]),
        )
    return Assessment(
        path.material,
        as_of,
        period,
        CODE_LEVEL[int(path.code[i])],
        _DIR[int(path.direction[i])],
        float(path.score[i]),
        zh,
        en,
        version,
        indicators,
        basis,
    )


def _float(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _with_absent_supply(zh: str, en: str, absent: tuple[IndicatorResult, ...]) -> tuple[str, str]:
    """Replace "no supply indicators" by what the stale supply series say."""
    supply = [r for r in absent if r.role == "supply"] or list(absent)
    en_reason = supply[0].reason_en
    if en_reason[1:2].islower():  # inside the sentence: "copper output", "NBS ..." stays
        en_reason = en_reason[:1].lower() + en_reason[1:]
    return (
        zh.replace("供给侧：无数据", f"供给侧：{supply[0].reason_zh}"),
        en.replace("supply side: no data", f"supply side: {en_reason}"),
    )


def empty_assessment(
    material: str, as_of: date, version: str, absent: tuple[IndicatorResult, ...] = ()
) -> Assessment:
    """A material with no step on or before ``as_of`` in the history computed."""
    zh, en = "无最新数据。", "No recent data. "
    if absent:
        zh += "；".join(r.reason_zh for r in absent)
        en += "; ".join(r.reason_en for r in absent)
    return Assessment(
        material, as_of, None, Level.NO_DATA, Direction.NONE, None, zh.rstrip(), en.rstrip(),
        version, absent, LevelBasis.no_data(),
    )  # fmt: skip


__all__ = [
    "INDICATOR_COLUMNS",
    "MATERIAL_COLUMNS",
    "Assessment",
    "IndicatorResult",
    "assessment",
    "empty_assessment",
    "indicator_frame",
    "iso",
    "material_frame",
]
