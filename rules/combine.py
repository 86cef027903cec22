"""Combining a material's indicator scores into one level, with persistence and hysteresis.

All functions work on whole step sequences with numpy (no loop over steps):

* :func:`combine_scores` folds the indicator scores of one direction into one raw score
  (``highest``; or ``agreement``: red only when two indicators are at least yellow, or one is
  backed by a supply signal) and says where a veto (a strong move the other way) applies.
* :func:`latch_levels` raises level L after the raw score has been >= L for N consecutive
  steps (persistence) and lowers it after the score has been below L - margin for M
  consecutive steps (hysteresis), or at once when vetoed; optionally (a re-entry
  cool-down) a level lowered less than K steps ago needs a longer persistence to come back.
* :func:`resolve` picks the direction and the reported score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rules.ruleset import Combine

#: Rules whose scores set the level. Supply rules back a red (``red_or_supply``) and set the
#: level only where no signal rule has data; veto and info rules never raise it.
SIGNAL_ROLES = ("signal",)


@dataclass
class Side:
    """One direction's combined score per step, and what shaped it (kept for the basis)."""

    raw: np.ndarray  # combined score after the agreement cap; NaN = no data
    uncapped: np.ndarray  # the same before the agreement cap: what the indicators alone say
    veto: np.ndarray  # bool: a veto rule in the other direction holds this one down
    veto_col: np.ndarray  # int: the column whose veto holds (-1: none)
    agreeing: np.ndarray  # int: distinct signal rules at yellow or above
    backed: np.ndarray  # bool: a supply rule at blue or above backs a red (red_or_supply)
    from_supply: np.ndarray  # bool: no signal rule has data; supply rules set the score
    supported: np.ndarray  # bool: a supply rule is at blue or above in this direction


def combine_scores(
    scores: np.ndarray,
    opposite: np.ndarray,
    roles: Sequence[str],
    cfg: Combine,
    rule_names: Sequence[str] | None = None,
    vetoing: Sequence[bool] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Raw material score for one direction and the veto mask (see :func:`combine_side`)."""
    side = combine_side(scores, opposite, roles, cfg, rule_names, vetoing)
    return side.raw, side.veto


def combine_side(
    scores: np.ndarray,
    opposite: np.ndarray,
    roles: Sequence[str],
    cfg: Combine,
    rule_names: Sequence[str] | None = None,
    vetoing: Sequence[bool] | None = None,
) -> Side:
    """Combined score of one direction, with the veto, agreement and supply facts behind it.

    ``scores`` (steps x indicators) are this direction's scores, ``opposite`` the other
    direction's (used by veto rules). NaN = no data; the raw score is NaN only when every
    signal and supply indicator is NaN. Agreement counts distinct rules (``rule_names``), so
    the same rule on a daily and a weekly copy of one price is one indicator, not two.
    """
    n = scores.shape[0]
    role = np.asarray(roles)
    is_sig = np.isin(role, SIGNAL_ROLES)
    sig = scores[:, is_sig]
    sig_raw = _row_max(sig)
    sup = scores[:, role == "supply"]
    # supply rules set the level only where no signal rule has data (e.g. output-only history)
    from_supply = np.isnan(sig_raw) & ~np.isnan(_row_max(sup))
    uncapped = np.where(np.isnan(sig_raw), _row_max(sup), sig_raw)
    names = np.asarray(rule_names if rule_names is not None else range(len(roles)))
    agreeing = _distinct_at_yellow(sig, names[is_sig])
    supported = (
        (np.nan_to_num(sup, nan=0.0) >= 1.0).any(axis=1) if sup.shape[1] else np.zeros(n, bool)
    )
    backed = supported & cfg.red_or_supply
    raw = uncapped
    if cfg.method == "agreement" and sig.shape[1]:
        agree = (agreeing >= cfg.red_min_indicators) | backed
        raw = np.where((uncapped >= 3.0) & ~agree, 2.999, uncapped)
    veto, veto_col = _veto(opposite, role, cfg, vetoing)
    return Side(raw, uncapped, veto, veto_col, agreeing, backed, from_supply, supported)


def _distinct_at_yellow(sig: np.ndarray, sig_names: np.ndarray) -> np.ndarray:
    """Per step, how many distinct rules (by name) are at yellow or above."""
    at_yellow = np.nan_to_num(sig, nan=0.0) >= 2.0
    count = np.zeros(sig.shape[0], dtype=np.int64)
    for nm in dict.fromkeys(sig_names.tolist()):
        count += at_yellow[:, sig_names == nm].any(axis=1)
    return count


def _veto(
    opposite: np.ndarray, role: np.ndarray, cfg: Combine, vetoing: Sequence[bool] | None
) -> tuple[np.ndarray, np.ndarray]:
    """Veto mask (held ``veto_hold`` steps) and the column that triggered it (-1: none)."""
    n = opposite.shape[0]
    veto_mask = role == "veto"
    if vetoing is not None:
        veto_mask |= np.asarray(vetoing, dtype=bool)
    cols = np.flatnonzero(veto_mask)
    if not len(cols):
        return np.zeros(n, dtype=bool), np.full(n, -1)
    strength = np.nan_to_num(opposite[:, cols], nan=0.0)
    trigger = (strength >= cfg.veto_level).any(axis=1)
    which = np.where(trigger, cols[np.argmax(strength, axis=1)], -1)
    held = hold(trigger, cfg.veto_hold)
    if cfg.veto_hold > 0 and trigger.any():
        idx = np.arange(n)
        last = np.maximum.accumulate(np.where(trigger, idx, 0))
        which = np.where(held, which[last], -1)
    return held, which


def _row_max(cols: np.ndarray) -> np.ndarray:
    """Row-wise maximum ignoring NaN; NaN where a row has no value at all."""
    if cols.shape[1] == 0:
        return np.full(cols.shape[0], np.nan)
    has = ~np.isnan(cols).all(axis=1)
    return np.where(has, np.max(np.where(np.isnan(cols), -1.0, cols), axis=1), np.nan)


def hold(trigger: np.ndarray, steps: int) -> np.ndarray:
    """True on each trigger and for ``steps`` steps after the last one."""
    if steps <= 0 or not trigger.any():
        return trigger
    idx = np.arange(len(trigger))
    last = np.maximum.accumulate(np.where(trigger, idx, -(steps + 1)))
    return idx - last <= steps


def run_length(cond: np.ndarray) -> np.ndarray:
    """Number of consecutive True values ending at each position."""
    c = np.cumsum(cond, dtype=np.int64)
    reset = np.maximum.accumulate(np.where(~cond, c, 0))
    return c - reset


def latch(on: np.ndarray, off: np.ndarray) -> np.ndarray:
    """True from each ``on`` until the next ``off`` (``off`` wins on the same step)."""
    n = len(on)
    event = np.where(off, 0, np.where(on, 1, -1))
    idx = np.where(event >= 0, np.arange(n), -1)
    idx = np.maximum.accumulate(idx) if n else idx
    return np.where(idx >= 0, event[np.maximum(idx, 0)], 0) == 1


@dataclass
class Latched:
    """One direction's level per step and the run lengths that decided it."""

    level: np.ndarray  # int8 codes 0-3
    above_run: np.ndarray  # (steps x 3): consecutive steps at or above blue/yellow/red, unvetoed
    below_run: np.ndarray  # (steps x 3): consecutive steps below each level minus the margin
    #: (steps x 3): the persistence in force at each step, a re-entry cool-down's included
    #: (the steps counted so far plus those to come; ``None``: no cool-down configured)
    persist: np.ndarray | None = None


def latch_levels(
    raw: np.ndarray,
    persist: np.ndarray,
    release: np.ndarray,
    margin: float,
    veto: np.ndarray | None = None,
    reentry: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Level codes 0-3 over steps for one direction (see :func:`latch_state`)."""
    return latch_state(raw, persist, release, margin, veto, reentry).level


def latch_state(
    raw: np.ndarray,
    persist: np.ndarray,
    release: np.ndarray,
    margin: float,
    veto: np.ndarray | None = None,
    reentry: tuple[np.ndarray, np.ndarray] | None = None,
) -> Latched:
    """Level codes 0-3 over steps for one direction, with the runs behind them.

    ``persist`` is (steps x 3): consecutive steps needed to raise blue, yellow, red (0 or 1 =
    at once); ``release`` (steps,) consecutive steps below ``level - margin`` to lower it.
    NaN raw scores (no data) neither raise nor lower a level.

    ``reentry`` (optional; ``cooldown`` (steps,), ``again`` (steps x 3)): a re-entry
    cool-down. Within ``cooldown[e]`` steps after a level was lowered at step e (by
    hysteresis or a veto), raising it again needs ``again`` consecutive steps (at least the
    usual ones): a warning that comes straight back waits longer.
    """
    n = len(raw)
    known = ~np.isnan(raw)
    score = np.nan_to_num(raw, nan=0.0)
    veto = np.zeros(n, dtype=bool) if veto is None else veto
    level = np.zeros(n, dtype=np.int8)
    above_run = np.zeros((n, 3), dtype=np.int64)
    below_run = np.zeros((n, 3), dtype=np.int64)
    in_force = None if reentry is None else persist.copy()
    for code in (1, 2, 3):  # three levels, each vectorised over all steps
        above = known & (score >= code) & ~veto
        above_run[:, code - 1] = run_length(above)
        need = np.maximum(persist[:, code - 1], 1)
        on = above & (above_run[:, code - 1] >= need)
        below = known & (score < code - margin)
        below_run[:, code - 1] = run_length(below)
        off = (below & (below_run[:, code - 1] >= np.maximum(release, 1))) | veto
        if reentry is None or in_force is None:
            latched = latch(on, off)
        else:
            cooldown, again = reentry
            longer = np.maximum(need, again[:, code - 1])
            latched, left = latch_reentry(on, off, above_run[:, code - 1] >= longer, cooldown)
            # raised after the longer persistence, or when the cool-down ends once the usual
            # one is met: the steps counted so far plus the steps still to come
            sooner = np.maximum(need, above_run[:, code - 1] + left)
            in_force[:, code - 1] = np.where(
                left > 0, np.minimum(longer, sooner), persist[:, code - 1]
            )
        level = np.where(latched, np.int8(code), level)
    return Latched(level, above_run, below_run, in_force)


def latch_reentry(
    on: np.ndarray, off: np.ndarray, on_again: np.ndarray, cooldown: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`latch` with a re-entry cool-down: within ``cooldown[e]`` steps after a run
    ended at step e (``off``), a new run begins only on ``on & on_again`` (the longer
    persistence of a re-entry) instead of ``on``. Returns the latch and, per step, the steps
    the cool-down still lasts (0: none; the steps before the first run have none).

    The loop runs over the runs (warnings), not the steps: each finds its end, and the next
    its start, by binary search among the steps where they can happen.
    """
    n = len(on)
    state = np.zeros(n, dtype=bool)
    cool = np.zeros(n, dtype=np.int64)
    on_at = np.flatnonzero(on & ~off)
    again_at = np.flatnonzero(on & on_again & ~off)
    off_at = np.flatnonzero(off)
    start = _first(on_at, 0, n)
    while start < n:
        end = _first(off_at, start + 1, n)
        state[start:end] = True
        if end >= n:
            break
        quiet = min(end + max(int(cooldown[end]), 0), n)
        cool[end:quiet] = quiet - np.arange(end, quiet)
        start = min(_first(again_at, end + 1, n), _first(on_at, max(quiet, end + 1), n))
    return state, cool


def _first(at: np.ndarray, start: int, n: int) -> int:
    """The first of the sorted steps ``at`` at or after ``start`` (``n``: none)."""
    i = int(np.searchsorted(at, start))
    return int(at[i]) if i < len(at) else n


def resolve(
    level_up: np.ndarray, level_down: np.ndarray, raw_up: np.ndarray, raw_down: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Level code (-1 no data), direction (+1 up, -1 down, 0 none) and score per step.

    The score is the level code plus the raw score's excess within that level (< 1), so it
    grows with severity; NaN for no data.
    """
    ru = np.nan_to_num(raw_up, nan=-1.0)
    rd = np.nan_to_num(raw_down, nan=-1.0)
    tie = (level_up == level_down) & (level_up > 0)
    # on a tie the direction already shown stays (no flip-flop between equal warnings)
    warned = np.maximum(level_up, level_down) > 0
    decided = np.where(tie | ~warned, np.nan, (level_up > level_down).astype(float))
    held = pd.Series(decided).ffill().to_numpy()
    fresh_tie = tie & np.isnan(held)
    up_wins = np.where(
        tie & ~np.isnan(held), held == 1.0, np.where(fresh_tie, ru >= rd, level_up > level_down)
    )
    code = np.maximum(level_up, level_down).astype(np.int8)
    direction = np.where(code > 0, np.where(up_wins, 1, -1), 0).astype(np.int8)
    raw_dir = np.where(direction >= 0, ru, rd)
    raw_dir = np.where(direction == 0, np.maximum(ru, rd), raw_dir)
    score = code + np.clip(raw_dir - code, 0.0, 0.99)
    no_data = np.isnan(raw_up) & np.isnan(raw_down)
    code = np.where(no_data, np.int8(-1), code)
    direction = np.where(no_data, 0, direction)
    score = np.where(no_data, np.nan, np.round(score, 2))
    return code, direction, score
