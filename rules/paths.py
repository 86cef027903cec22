"""One material's evaluation path: its indicators aligned on its steps, combined into levels.

For each material, the indicator blocks (rules.indicators) are read as they were known at each
evaluation step (stale values blanked), coarser series give way to finer ones, and the scores
are combined, held for persistence and released with hysteresis (rules.combine).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rules import frames
from rules.basis import StepBasis, step_basis
from rules.combine import combine_side, latch_state, resolve
from rules.indicators import Block, build_blocks
from rules.labels import material_name, series_label
from rules.reasons import Names, ReasonWriter
from rules.ruleset import BackingValues, Hysteresis, LevelSteps, RuleSet

#: Roles whose data can set a level: only these make a finer series "present".
LEVEL_ROLES = ("signal", "supply")


@dataclass
class MaterialPath:
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
    basis: StepBasis
    #: (steps x cols) frequency rank of the finer series that hides this one (-1: not hidden)
    superseded: np.ndarray
    #: (steps x cols) period of the last value known at the step, fresh or not (NaT: none yet)
    last_period: np.ndarray
    margin: float  # hysteresis margin, on the score scale
    red_or_supply: bool  # whether supply rules may back a red
    veto_level: float  # the score at which a veto rule ends the other direction
    red_min: int  # distinct rules at yellow a red needs (combine.red_min_indicators)


def lookback_days(ruleset: RuleSet) -> int:
    """The longest history, in days, any rule of ``ruleset`` needs for one step."""
    return max(lookback_by_kind(ruleset).values(), default=0)


def lookback_by_kind(ruleset: RuleSet) -> dict[str, int]:
    """The longest history, in days, the rules reading each indicator kind need for one step
    (a cross detector reads each of its kinds)."""
    from rules.detectors import DETECTORS

    rules = list(ruleset.model.rules)
    for spec in ruleset.model.materials.values():
        rules += spec.rules
    out: dict[str, int] = {}
    for rule in rules:
        detector = DETECTORS[rule.detector](rule.params)
        kinds = detector.kinds if detector.cross else (str(rule.indicator),)
        days = max((detector.lookback_days(f) for f in rule.frequencies), default=0)
        for kind in kinds:
            out[kind] = max(out.get(kind, 0), days)
    return out


def material_paths(
    obs: pd.DataFrame,
    ruleset: RuleSet,
    stale: frozenset[str] = frozenset(),
    names: Names | None = None,
    steps_from: np.datetime64 | None = None,
) -> list[MaterialPath]:
    """The path of every material in ``obs``; series in ``stale`` count as missing.

    ``steps_from``: evaluate only the steps known from then on (the indicators still use all
    of ``obs``): the latest assessment needs the history of its indicators, but only a
    warm-up of steps for persistence and hysteresis to settle.
    """
    wides = {f: frames.wide(obs, f) for f in obs["frequency"].unique()}
    blocks = build_blocks(obs, ruleset, wides)
    out = []
    for material, group in obs.groupby("material", sort=True, observed=True):
        path = _material_path(str(material), group, blocks, ruleset, stale, names, steps_from)
        out.append(path)
    return out


@dataclass
class Aligned:
    """A material's indicator columns as known at each of its steps (stale values NaN)."""

    cols: list[tuple[Block, int]]
    values: np.ndarray
    up: np.ndarray
    down: np.ndarray
    last_period: np.ndarray


def _material_path(
    material: str,
    obs: pd.DataFrame,
    blocks: list[Block],
    ruleset: RuleSet,
    stale: frozenset[str],
    names: Names | None,
    steps_from: np.datetime64 | None = None,
) -> MaterialPath:
    periods, asof, freqs = frames.material_steps(obs)
    if steps_from is not None:
        keep = asof >= steps_from
        periods, asof, freqs = periods[keep], asof[keep], freqs[keep]
    al = _aligned(material, asof, blocks, ruleset.model.timing.staleness_days, stale)
    superseded = _keep_finest(al.cols, al.up, al.down, ruleset.model.timing.finest_only)
    code, direction, score, basis = _levels(al, periods, freqs, ruleset)
    cfg, hyst = ruleset.model.combine, ruleset.model.hysteresis
    return MaterialPath(
        material,
        periods,
        freqs,
        al.cols,
        _writers(al.cols, material, names),
        al.values,
        al.up,
        al.down,
        code,
        direction,
        score,
        basis,
        superseded,
        al.last_period,
        hyst.margin,
        cfg.red_or_supply,
        cfg.veto_level,
        cfg.red_min_indicators,
    )


def _aligned(
    material: str,
    asof: np.ndarray,
    blocks: list[Block],
    staleness: dict[str, int],
    stale: frozenset[str],
) -> Aligned:
    """Each block's columns of ``material`` read at the steps' as-of times: the latest value
    known then, NaN when older than the frequency's staleness or in ``stale``."""
    cols: list[tuple[Block, int]] = []
    parts: dict[str, list[np.ndarray]] = {"values": [], "up": [], "down": [], "last": []}
    for block in blocks:
        idx = block.by_material.get(material)
        if idx is None or len(idx) == 0:
            continue
        row = np.searchsorted(block.avail, asof, side="right") - 1
        ok_row = row >= 0
        rows_cols = np.ix_(np.maximum(row, 0), idx)
        known = block.known_at[rows_cols]
        limit = np.timedelta64(staleness.get(block.freq, 100), "D")
        seen = ok_row[:, None] & (known <= asof[:, None])
        fresh = seen & (asof[:, None] - known <= limit)
        if stale:
            fresh &= ~np.isin(np.asarray(block.series_ids)[idx], list(stale))[None, :]
        for key in ("values", "up", "down"):
            parts[key].append(np.where(fresh, getattr(block, key)[rows_cols], np.nan))
        parts["last"].append(np.where(seen, block.last_period[rows_cols], np.datetime64("NaT")))
        cols += [(block, int(i)) for i in idx]
    n = len(asof)
    values, up, down = (
        np.hstack(parts[k]) if parts[k] else np.empty((n, 0)) for k in ("values", "up", "down")
    )
    last = np.hstack(parts["last"]) if parts["last"] else np.empty((n, 0), dtype="datetime64[ns]")
    return Aligned(cols, values, up, down, last)


def _levels(
    al: Aligned, periods: np.ndarray, freqs: np.ndarray, ruleset: RuleSet
) -> tuple[np.ndarray, np.ndarray, np.ndarray, StepBasis]:
    """Combination, persistence, hysteresis (backed or not) and the basis of every step."""
    cfg, hyst = ruleset.model.combine, ruleset.model.hysteresis
    roles = [b.rules[i].role for b, i in al.cols]
    rule_names = [b.rule_name for b, _ in al.cols]
    vetoing = [b.rules[i].vetoes for b, i in al.cols]
    sides = (
        combine_side(al.up, al.down, roles, cfg, rule_names, vetoing),
        combine_side(al.down, al.up, roles, cfg, rule_names, vetoing),
    )
    persist = _confirmed_persistence(al, freqs, ruleset)
    backed_release = _per_freq(freqs, hyst.steps_for)
    unbacked_release = _per_freq(freqs, hyst.unbacked_steps_for)
    held_backed = (
        _backed(al.up, al.values, al.cols, hyst, "up"),
        _backed(al.down, al.values, al.cols, hyst, "down"),
    )
    release = (
        np.where(held_backed[0], backed_release, unbacked_release),
        np.where(held_backed[1], backed_release, unbacked_release),
    )
    reentry = _reentry(freqs, ruleset, persist)
    latched = (
        latch_state(sides[0].raw, persist[0], release[0], hyst.margin, sides[0].veto, reentry[0]),
        latch_state(sides[1].raw, persist[1], release[1], hyst.margin, sides[1].veto, reentry[1]),
    )
    # the persistence in force, a re-entry cool-down's included (for the pending basis)
    persist = (
        latched[0].persist if latched[0].persist is not None else persist[0],
        latched[1].persist if latched[1].persist is not None else persist[1],
    )
    code, direction, score = resolve(latched[0].level, latched[1].level, sides[0].raw, sides[1].raw)
    basis = step_basis(
        code, direction, sides, latched, persist, release, periods, freqs, cfg.red_min_indicators
    )
    basis.hold_backed = np.where(direction > 0, held_backed[0], held_backed[1])
    basis.short_release = bool(hyst.unbacked_steps)
    return code, direction, score, basis


def _writers(
    cols: list[tuple[Block, int]], material: str, names: Names | None
) -> list[ReasonWriter]:
    return [
        ReasonWriter(
            rule=b.rules[c],
            phrase=b.detector.describe(b.freq),
            unit=b.detector.unit,
            subject=_subject(b, c, material, names),
            comparative=b.detector.comparative,
            signed=b.detector.signed,
        )
        for b, c in cols
    ]


def _subject(block: Block, col: int, material: str, names: Names | None) -> tuple[str, str]:
    """Who a reason is about: the series, or the material for cross-series indicators."""
    if block.detector.cross:
        zh, en = material_name(material, names)
        what_zh, what_en = block.detector.subject
        return f"{zh}{what_zh}", f"{en} {what_en}".strip()
    return series_label(block.series_ids[col], material, block.rules[col].indicator, names)


def _keep_finest(
    cols: list[tuple[Block, int]], up: np.ndarray, down: np.ndarray, kinds: Sequence[str]
) -> np.ndarray:
    """Blank (in place) the scores of coarser series where a finer one of the kind has data.

    Returns (steps x cols) the frequency rank of the finer series hiding each value, -1 where
    none does. Only rules that can set the level (:data:`LEVEL_ROLES`) count as "finer data
    present": a daily veto rule (the 40-day drawdown) has data weeks before the daily signals
    do, and must not blank the monthly price signal in the meantime.
    """
    hidden = np.full(up.shape, -1, dtype=np.int8)
    rank = np.array([frames.FREQ_ORDER.index(b.src_freq) for b, _ in cols], dtype=float)
    sets_level = np.array([b.rules[c].role in LEVEL_ROLES for b, c in cols], dtype=bool)
    for kind in kinds:
        sel = np.array(
            [b.rules[c].indicator == kind and not b.detector.cross for b, c in cols], dtype=bool
        )
        if not sel.any():
            continue
        has = ~(np.isnan(up) & np.isnan(down)) & (sel & sets_level)[None, :]
        finest = np.min(np.where(has, rank[None, :], np.inf), axis=1, keepdims=True)
        coarse = sel[None, :] & (rank[None, :] > finest)
        hidden[coarse & ~(np.isnan(up) & np.isnan(down))] = np.broadcast_to(finest, up.shape)[
            coarse & ~(np.isnan(up) & np.isnan(down))
        ].astype(np.int8)
        up[coarse] = np.nan
        down[coarse] = np.nan
    return hidden


def _persist(ruleset: RuleSet, freqs: np.ndarray) -> np.ndarray:
    """(steps x 3) persistence steps of blue, yellow, red at each step's frequency."""
    out = np.zeros((len(freqs), 3), dtype=int)
    for freq in np.unique(freqs):
        p = ruleset.persistence_for(str(freq))
        out[freqs == freq] = (p.blue, p.yellow, p.red)
    return out


def _confirmed_persistence(
    al: Aligned, freqs: np.ndarray, ruleset: RuleSet
) -> tuple[np.ndarray, np.ndarray]:
    """(up, down): the persistence in force at each step: the ``confirmation`` steps where a
    second series confirms the direction, its ``unconfirmed`` steps where a second series has
    data but does not confirm, else the usual ones."""
    usual = _persist(ruleset, freqs)
    conf = ruleset.model.confirmation
    if conf is None:
        return usual, usual
    fast = _persist_from(usual, freqs, conf.persistence_for)
    slow = _persist_from(usual, freqs, conf.unconfirmed_for)
    roles = np.array([b.rules[c].role in conf.roles for b, c in al.cols], dtype=bool)
    series = np.array([b.series_ids[c] for b, c in al.cols], dtype=object)
    with_data = _distinct_series(~(np.isnan(al.up) & np.isnan(al.down)) & roles, series, roles)
    out = []
    for scores in (al.up, al.down):
        at = (np.nan_to_num(scores, nan=0.0) >= conf.score) & roles[None, :]
        count = _distinct_series(at, series, roles)
        persist = np.where((with_data >= 2)[:, None], slow, usual)
        out.append(np.where((count >= 2)[:, None], fast, persist))
    return out[0], out[1]


def _persist_from(
    usual: np.ndarray, freqs: np.ndarray, steps: Callable[[str], LevelSteps | None]
) -> np.ndarray:
    """``usual`` with the steps ``steps`` gives for a frequency (``None``: the usual ones)."""
    out = usual.copy()
    for freq in np.unique(freqs):
        p = steps(str(freq))
        if p is not None:
            out[freqs == freq] = (p.blue, p.yellow, p.red)
    return out


def _distinct_series(mask: np.ndarray, series: np.ndarray, roles: np.ndarray) -> np.ndarray:
    """Per step, how many distinct series have a column of the roles set in ``mask``."""
    count = np.zeros(mask.shape[0], dtype=np.int64)
    for sid in dict.fromkeys(series[roles].tolist()):
        count += mask[:, series == sid].any(axis=1)
    return count


def _backed(
    scores: np.ndarray,
    values: np.ndarray,
    cols: list[tuple[Block, int]],
    hyst: Hysteresis,
    side: str,
) -> np.ndarray:
    """Steps where something backs a held warning in direction ``side`` (hysteresis.backing):
    a column at or above its score, or with its value at or beyond the given one (up: at or
    above it, down: at or below it). Missing data, and a coarser copy hidden by a finer
    series (its score is blanked), back nothing."""
    n = scores.shape[0]
    out = np.zeros(n, dtype=bool)
    for j, (block, col) in enumerate(cols):
        rule = block.rules[col]
        given = hyst.backing.get(rule.name, hyst.backing.get(rule.role))
        if isinstance(given, BackingValues):
            limit = given.up if side == "up" else given.down
            if limit is not None:
                v = np.where(np.isnan(scores[:, j]), np.nan, values[:, j])
                v = np.nan_to_num(v, nan=-np.inf if side == "up" else np.inf)
                out |= v >= limit if side == "up" else v <= limit
        elif given is not None:
            out |= np.nan_to_num(scores[:, j], nan=-1.0) >= given
    return out


def _reentry(
    freqs: np.ndarray, ruleset: RuleSet, persist: tuple[np.ndarray, np.ndarray]
) -> tuple[tuple[np.ndarray, np.ndarray] | None, tuple[np.ndarray, np.ndarray] | None]:
    """(up, down): the re-entry cool-down's steps and persistence per step (``reentry``),
    or ``None`` where the rule set has none."""
    again = ruleset.model.reentry
    if again is None or not again.steps:
        return None, None
    cooldown = _per_freq(freqs, again.steps_for)
    return (
        (cooldown, _persist_from(persist[0], freqs, again.persistence_for)),
        (cooldown, _persist_from(persist[1], freqs, again.persistence_for)),
    )


def _per_freq(freqs: np.ndarray, steps: Callable[[str], int]) -> np.ndarray:
    """One value per step from a function of the step's frequency (few distinct ones)."""
    out = np.zeros(len(freqs), dtype=int)
    for freq in np.unique(freqs):
        out[freqs == freq] = steps(str(freq))
    return out
