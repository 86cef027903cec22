"""What one material's path says in words, for many steps at once.

A material's reason is three parts, in both languages: the state (its level and basis,
:mod:`rules.statements`), the indicators that explain it (at most two, each naming its series)
and what its supply side shows (or that it has none). Indicator rows that have no value say
why: hidden by a finer series ("superseded by daily data"), no data after a date, or not
enough history yet.

Every number was computed vectorised (:mod:`rules.basis`, :mod:`rules.paths`); the words are
too: templates per indicator column and level (:class:`rules.reasons.ReasonWriter`) joined
with the numbers as numpy object arrays, one group of steps per column.
"""

from __future__ import annotations

import math

import numpy as np

from rules.basis import BASIS_ORDER, Basis
from rules.levels import CODE_LEVEL, Direction, Level
from rules.paths import MaterialPath
from rules.statements import StateArrays, state_clauses
from rules.threshold_scores import fmt_number, value_at_score
from vocabulary import FREQUENCIES

SIGNAL_OR_SUPPLY = ("signal", "supply")
# A reason is a list of whole statements, one per line: the state, the explaining indicators,
# the supply side. No statement holds a line break, so the lines are the statements exactly
# (readers split on "\n", never on punctuation that a statement may itself contain).
STATEMENT_SEP = "\n"
SUPPLY_HEAD = ("供给侧：", "supply side: ")
NO_SUPPLY = ("供给侧：无数据", "supply side: no data")
_SUPPLY_ONLY = BASIS_ORDER.index(Basis.SUPPLY_ONLY)
_HELD = BASIS_ORDER.index(Basis.HELD)
_CAPPED = BASIS_ORDER.index(Basis.CAPPED)
_VETOED = BASIS_ORDER.index(Basis.VETOED)


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


def isos(values: np.ndarray) -> np.ndarray:
    """ISO dates of a datetime64 array as an object array, "" for NaT."""
    text = np.datetime_as_string(np.asarray(values).astype("datetime64[D]"), unit="D")
    return np.where(np.isnat(values), "", text).astype(object)


def cell_levels(up: np.ndarray, down: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised :func:`indicator_level`: level codes (-1 no data), direction codes."""
    none = np.isnan(up) & np.isnan(down)
    u, d = np.nan_to_num(up, nan=0.0), np.nan_to_num(down, nan=0.0)
    code = np.floor(np.clip(np.maximum(u, d), 0, 3)).astype(np.int64)
    direction = np.where(code > 0, np.where(u >= d, 1, -1), 0)
    return np.where(none, -1, code), direction, none


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
        self._release: dict[tuple[int, int, int], str] = {}

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
        supply_only = (b.kind[idx] == _SUPPLY_ONLY)[:, None]
        allowed = np.where(supply_only, self.fallback[None, :], self.explaining[None, :])
        scores = np.where(allowed & ~np.isnan(s), s, -1.0)
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

    def cells(
        self, j: int, steps: np.ndarray, inner: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """The sentences of indicator ``j`` at ``steps``, or why it has no value there
        (``inner``: worded for the inside of a sentence, see ReasonWriter.inner)."""
        p = self.path
        writer = p.writers[j].inner() if inner else p.writers[j]
        code, direction, none = cell_levels(p.up[steps, j], p.down[steps, j])
        zh = np.empty(len(steps), dtype=object)
        en = np.empty(len(steps), dtype=object)
        ok = ~none
        if ok.any():
            zh[ok], en[ok] = writer.texts(p.values[steps[ok], j], code[ok], direction[ok])
        if none.any():
            zh[none], en[none] = self._missing(j, steps[none], inner)
        return zh, en

    def cell(self, i: int, j: int) -> tuple[str, str]:
        """The sentence of indicator ``j`` at step ``i`` (one step: no arrays)."""
        p = self.path
        writer = p.writers[j]
        up, down = float(p.up[i, j]), float(p.down[i, j])
        if math.isnan(up) and math.isnan(down):
            zh, en = self._missing(j, np.array([i]), False)
            return str(zh[0]), str(en[0])
        level, direction, _ = indicator_level(up, down)
        d = 1 if direction == Direction.UP else -1 if direction == Direction.DOWN else 0
        code = {Level.BLUE: 1, Level.YELLOW: 2, Level.RED: 3}.get(level, 0)
        return writer.one(float(p.values[i, j]), code, d)

    def _missing(self, j: int, steps: np.ndarray, inner: bool) -> tuple[np.ndarray, np.ndarray]:
        p = self.path
        writer = p.writers[j].inner() if inner else p.writers[j]
        hidden = p.superseded[steps, j]
        last = isos(p.last_period[steps, j])
        zh = np.empty(len(steps), dtype=object)
        en = np.empty(len(steps), dtype=object)
        stale = (hidden < 0) & (last != "")
        s_zh, s_en = writer.stale("\x00")
        zh[stale] = [s_zh.replace("\x00", d) for d in last[stale]]
        en[stale] = [s_en.replace("\x00", d) for d in last[stale]]
        short = (hidden < 0) & (last == "")
        zh[short], en[short] = writer.short_history()
        for rank in np.unique(hidden[hidden >= 0]):
            sel = hidden == rank
            zh[sel], en[sel] = writer.superseded(FREQUENCIES[int(rank)])
        return zh, en

    def cells_of(
        self, idx: np.ndarray, cols: np.ndarray, inner: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per step of ``idx``, the sentence of its column in ``cols`` ("" where -1)."""
        zh = np.full(len(idx), "", dtype=object)
        en = np.full(len(idx), "", dtype=object)
        for j in np.unique(cols[cols >= 0]):
            sel = np.flatnonzero(cols == j)
            zh[sel], en[sel] = self.cells(int(j), idx[sel], inner)
        return zh, en

    def release_value(self, j: int, code: int, direction: int) -> str:
        """The value indicator ``j`` must stay beyond for a level's release steps to count."""
        if j < 0 or code <= 0 or direction == 0:
            return ""
        key = (j, code, direction)
        if key not in self._release:
            block, col = self.path.cols[j]
            rule = block.rules[col]
            rule_side = "up" if (direction > 0) != rule.invert else "down"
            th = rule.up if rule_side == "up" else rule.down
            value = value_at_score(th, rule_side, code - self.path.margin)
            self._release[key] = "" if value is None else fmt_number(value)
        return self._release[key]

    def states(self, idx: np.ndarray, top: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The first clause of each step of ``idx``; ``top`` is each step's lead indicator."""
        p, b = self.path, self.path.basis
        kind = b.kind[idx]
        held = kind == _HELD
        release = np.full(len(idx), "", dtype=object)
        rows = np.flatnonzero(held & (top >= 0))
        if rows.size:  # one value per distinct (indicator, level, direction), not per step
            keys = np.stack([top[rows], p.code[idx[rows]], p.direction[idx[rows]]], axis=1)
            distinct, which = np.unique(keys, axis=0, return_inverse=True)
            values = np.array([self.release_value(*map(int, k)) for k in distinct], dtype=object)
            release[rows] = values[which.ravel()]
        veto_zh, veto_en = self.cells_of(idx, np.where(kind == _VETOED, b.veto_col[idx], -1))
        agrees = np.zeros(len(idx), dtype=bool)
        if self.supply.any():
            cap = np.flatnonzero(kind == _CAPPED)
            s = self.directional(idx[cap], b.target_dir[idx[cap]])[:, self.supply]
            agrees[cap] = (np.nan_to_num(s, nan=0.0) >= 1.0).any(axis=1)
        backed = np.full(len(idx), -1, dtype=np.int8)
        if b.short_release and b.hold_backed is not None:
            backed = np.where(held, b.hold_backed[idx].astype(np.int8), -1)
        return state_clauses(
            StateArrays(
                kind=kind,
                code=p.code[idx],
                direction=p.direction[idx],
                ind_code=b.ind_code[idx],
                ind_dir=b.ind_dir[idx],
                target_code=b.target_code[idx],
                target_dir=b.target_dir[idx],
                freq=p.freqs[idx],
                count=b.count[idx],
                needed=b.needed[idx],
                since=isos(b.since[idx]),
                last_confirmed=isos(b.last_confirmed[idx]),
                earliest=isos(b.earliest[idx]),
                release=release,
                veto_zh=veto_zh,
                veto_en=veto_en,
                supply_agrees=agrees,
                hold_backed=backed,
                supply_backs_red=p.red_or_supply,
                red_min=p.red_min,
            )
        )

    def reasons(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The whole reason of each step of ``idx``: state, explaining indicators, supply."""
        top = self.top_indicators(idx)
        state_zh, state_en = self.states(idx, top[:, 0])
        supply_only = (self.path.basis.kind[idx] == _SUPPLY_ONLY) & (top[:, 0] >= 0)
        first_zh, first_en = self.cells_of(idx, np.where(supply_only, -1, top[:, 0]))
        second_zh, second_en = self.cells_of(idx, top[:, 1])
        # where supply indicators set the level, the first indicator *is* the supply side
        supply = np.where(supply_only, top[:, 0], self.supply_choice(idx))
        supply_zh, supply_en = self.supply_clauses(idx, supply)
        lead_zh = np.where(supply_only, supply_zh, first_zh)  # the supply side comes first
        lead_en = np.where(supply_only, supply_en, first_en)
        last_zh = np.where(supply_only, "", supply_zh)
        last_en = np.where(supply_only, "", supply_en)
        return (
            _joined(STATEMENT_SEP, state_zh, lead_zh, second_zh, last_zh),
            _joined(STATEMENT_SEP, state_en, lead_en, second_en, last_en),
        )

    def supply_clauses(self, idx: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """What the supply side shows at each step, through its column in ``cols``."""
        zh, en = self.cells_of(idx, cols, inner=True)
        none = cols < 0
        return (
            np.where(none, NO_SUPPLY[0], SUPPLY_HEAD[0] + zh).astype(object),
            np.where(none, NO_SUPPLY[1], SUPPLY_HEAD[1] + en).astype(object),
        )


def _joined(sep: str, *parts: np.ndarray) -> np.ndarray:
    """Join the non-empty parts of each step with ``sep`` (object arrays)."""
    out = np.full(len(parts[0]), "", dtype=object)
    for part in parts:
        part = part.astype(object)
        out = np.where(part == "", out, np.where(out == "", part, out + sep + part))
    return out
