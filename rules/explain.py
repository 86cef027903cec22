"""What one material's path says in words, step by step.

A material's reason is three parts, in both languages: the state (its level and basis,
:mod:`rules.statements`), the indicators that explain it (at most two, each naming its series)
and what its supply side shows (or that it has none). Indicator rows that have no value say
why: hidden by a finer series ("superseded by daily data"), no data after a date, or not
enough history yet.

Every number here was computed vectorised (:mod:`rules.basis`, :mod:`rules.paths`); this
module only picks and formats, and memoises what repeats.
"""

from __future__ import annotations

import math

import numpy as np

from rules.basis import BASIS_ORDER, Basis
from rules.levels import CODE_LEVEL, Direction, Level
from rules.paths import MaterialPath
from rules.statements import State, state_clause
from rules.threshold_scores import fmt_number, value_at_score
from vocabulary import FREQUENCIES

SIGNAL_OR_SUPPLY = ("signal", "supply")
_DIR = {1: Direction.UP, -1: Direction.DOWN, 0: Direction.NONE}
JOIN = ("；", "; ")


def indicator_level(up: float, down: float) -> tuple[Level, Direction, float | None]:
    """One indicator's level, direction and score from its two direction scores."""
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


def iso(value: np.datetime64) -> str | None:
    """``2026-08-21`` from a datetime64; None for NaT."""
    return None if np.isnat(value) else str(value.astype("datetime64[D]"))


class Explainer:
    """Reasons for the steps of one material path."""

    def __init__(self, path: MaterialPath) -> None:
        self.path = path
        roles = np.array([b.rules[c].role for b, c in path.cols], dtype=object)
        # the supply side has its own clause; the indicators named first are the signals,
        # or the supply rules where no signal has data (supply_only)
        self.explaining = roles == "signal"
        self.fallback = np.isin(roles, SIGNAL_OR_SUPPLY)
        self.supply = roles == "supply"
        names = [b.rule_name for b, _ in path.cols]
        index = {name: i for i, name in enumerate(dict.fromkeys(names))}
        self.rule_ids = np.array([index[name] for name in names], dtype=int)
        self._states: dict[State, tuple[str, str]] = {}
        self._release: dict[tuple[int, int, int], str | None] = {}

    # -- choosing -------------------------------------------------------------------------

    def directional(self, idx: np.ndarray, direction: np.ndarray) -> np.ndarray:
        """Scores (len(idx) x cols) in each step's ``direction`` (both ways where it is 0)."""
        p = self.path
        up, down = p.up[idx], p.down[idx]
        d = direction[:, None]
        return np.where(d > 0, up, np.where(d < 0, down, np.fmax(up, down)))

    def top_indicators(self, idx: np.ndarray, k: int = 2) -> np.ndarray:
        """Per step, the best explaining indicator and the best of a *different* rule that is
        itself at a warning level (-1 where none), in the direction the basis is about."""
        b = self.path.basis
        s = self.directional(idx, b.target_dir[idx])
        supply_only = (b.kind[idx] == BASIS_ORDER.index(Basis.SUPPLY_ONLY))[:, None]
        allowed = np.where(supply_only, self.fallback[None, :], self.explaining[None, :])
        s = np.where(allowed, s, np.nan)
        scores = np.where(np.isnan(s), -1.0, s)
        n, m = scores.shape
        if m == 0:
            return np.full((n, k), -1)
        order = np.argsort(-scores, axis=1, kind="stable")
        first = order[:, 0]
        other = self.rule_ids[order] != self.rule_ids[first][:, None]
        pos = np.where(other.any(axis=1), other.argmax(axis=1), 0)
        second = np.where(other.any(axis=1), order[np.arange(n), pos], -1)
        best = scores[np.arange(n), first]
        second_score = np.where(second >= 0, scores[np.arange(n), np.maximum(second, 0)], -1.0)
        out = np.stack(
            [np.where(best >= 0, first, -1), np.where(second_score >= 1.0, second, -1)], 1
        )
        return out[:, :k]

    def supply_choice(self, idx: np.ndarray) -> np.ndarray:
        """Per step, the supply indicator to report: the strongest with data in the direction
        the basis is about; else the most recent stale one; -1 when the material has none."""
        if not self.supply.any():
            return np.full(len(idx), -1)
        b = self.path.basis
        cols = np.flatnonzero(self.supply)
        s = self.directional(idx, b.target_dir[idx])[:, cols]
        has = ~np.isnan(s).all(axis=1)
        best = cols[np.argmax(np.where(np.isnan(s), -1.0, s), axis=1)]
        last = self.path.last_period[idx][:, cols].astype("int64")  # NaT is the minimum
        latest = cols[np.argmax(last, axis=1)]
        return np.where(has, best, latest)

    # -- words ----------------------------------------------------------------------------

    def cell(self, i: int, j: int) -> tuple[str, str]:
        """The sentence of indicator ``j`` at step ``i``, or why it has no value."""
        p = self.path
        writer = p.writers[j]
        value = float(p.values[i, j])
        if not math.isnan(value):
            level, direction, _ = indicator_level(float(p.up[i, j]), float(p.down[i, j]))
            if level != Level.NO_DATA:
                return writer(value, level, direction.value)
        if p.superseded[i, j] >= 0:
            return writer.superseded(FREQUENCIES[int(p.superseded[i, j])])
        last = iso(p.last_period[i, j])
        return writer.stale(last) if last else writer.short_history()

    def state(self, i: int, top: int) -> State:
        """The first clause's values at step ``i``; ``top`` is the lead indicator (-1 none)."""
        p, b = self.path, self.path.basis
        kind = BASIS_ORDER[int(b.kind[i])]
        count, needed = int(b.count[i]), int(b.needed[i])
        veto = self.cell(i, int(b.veto_col[i])) if kind == Basis.VETOED else None
        release = self.release_value(top, int(p.code[i]), int(p.direction[i]))
        supply_agrees = (
            bool(
                (
                    np.nan_to_num(
                        self.directional(np.array([i]), b.target_dir[i : i + 1]), nan=0.0
                    )[0, self.supply]
                    >= 1.0
                ).any()
            )
            if kind == Basis.CAPPED
            else False
        )
        return State(
            basis=kind,
            level=CODE_LEVEL[int(p.code[i])],
            direction=_DIR[int(p.direction[i])],
            indicator_level=CODE_LEVEL[int(b.ind_code[i])],
            indicator_direction=_DIR[int(b.ind_dir[i])],
            target_level=CODE_LEVEL[int(b.target_code[i])],
            target_direction=_DIR[int(b.target_dir[i])],
            freq=str(p.freqs[i]),
            count=count if count >= 0 else None,
            needed=needed if needed >= 0 else None,
            since=iso(b.since[i]),
            last_confirmed=iso(b.last_confirmed[i]),
            earliest=iso(b.earliest[i]),
            release_value=release if kind == Basis.HELD else None,
            veto=veto,
            supply_agrees=supply_agrees,
            supply_backs_red=p.red_or_supply,
            hold_backed=self.hold_backed(i) if kind == Basis.HELD else None,
        )

    def hold_backed(self, i: int) -> bool | None:
        """Whether the held warning is still backed (long release); None: one length only."""
        b = self.path.basis
        if not b.short_release or b.hold_backed is None:
            return None
        return bool(b.hold_backed[i])

    def release_value(self, j: int, code: int, direction: int) -> str | None:
        """The value indicator ``j`` must stay beyond for a level's release steps to count."""
        if j < 0 or code <= 0 or direction == 0:
            return None
        key = (j, code, direction)
        if key not in self._release:
            block, col = self.path.cols[j]
            rule = block.rules[col]
            rule_side = "up" if (direction > 0) != rule.invert else "down"
            th = rule.up if rule_side == "up" else rule.down
            value = value_at_score(th, rule_side, code - self.path.margin)
            self._release[key] = None if value is None else fmt_number(value)
        return self._release[key]

    def reasons(self, i: int, top: np.ndarray, supply: int) -> tuple[str, str]:
        """The whole reason of step ``i``: state, explaining indicators, supply side."""
        state = self.state(i, int(top[0]))
        if state not in self._states:
            self._states[state] = state_clause(state)
        head_zh, head_en = self._states[state]
        parts = [self.cell(i, int(j)) for j in top if j >= 0]
        if state.basis == Basis.SUPPLY_ONLY and parts:  # the indicators are the supply side
            parts[0] = self.supply_clause(i, int(top[0]))
        else:
            parts.append(self.supply_clause(i, supply))
        return (
            head_zh + JOIN[0].join(z for z, _ in parts),
            head_en + JOIN[1].join(e for _, e in parts),
        )

    def supply_clause(self, i: int, j: int) -> tuple[str, str]:
        """What the supply side shows at step ``i`` through indicator ``j`` (-1: none)."""
        if j < 0:
            return "供给侧：无数据", "supply side: no data"
        zh, en = self.cell(i, j)
        if en[1:2].islower():  # "Coke price ..." reads "coke price ..." inside the sentence
            en = en[:1].lower() + en[1:]
        return f"供给侧：{zh}", f"supply side: {en}"
