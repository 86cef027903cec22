"""Why a level stands: the basis of every step, computed vectorised from the combination.

The combination (:mod:`rules.combine`) raises a level only after persistence, lowers it only
after hysteresis, cuts it at once on a veto and caps red until two rules agree. The basis says
which of these explains the level shown at each step:

* ``confirmed``: the indicators are at this level in this direction now (the indicators
  alone, or the score the agreement cap allows);
* ``pending``: an indicator has crossed a higher level; k of N persistence steps so far;
* ``held``: no indicator is at this level any more; kept by hysteresis, k of M release steps;
* ``vetoed``: a level the indicators reach is blocked by a veto rule (the move has reversed);
* ``capped``: red reached by one rule, but red needs n rules at yellow (or supply backing);
* ``supply_only``: no price signal has data; supply indicators set the level;
* ``no_data``: nothing fresh to judge by.

Plus what the indicators alone say (level and direction, before persistence, hysteresis,
veto and cap), since when the level stands, when it was last confirmed and the earliest date
it can change (without a veto, which can end a warning on any step).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import numpy as np

from rules.combine import Latched, Side
from rules.levels import CODE_LEVEL, Direction, Level, codes_from_scores


class Basis(StrEnum):
    """Why a material's level stands at a step."""

    CONFIRMED = "confirmed"
    PENDING = "pending"
    HELD = "held"
    VETOED = "vetoed"
    CAPPED = "capped"
    SUPPLY_ONLY = "supply_only"
    NO_DATA = "no_data"


#: Integer codes of the basis arrays, in this order.
BASIS_ORDER: tuple[Basis, ...] = tuple(Basis)
_CODE = {basis: np.int8(i) for i, basis in enumerate(BASIS_ORDER)}
NAT = np.datetime64("NaT", "ns")


@dataclass(frozen=True)
class LevelBasis:
    """Why an assessment's level stands (one step of :class:`StepBasis`, with names).

    ``count`` of ``needed``: persistence steps so far for ``pending`` (towards
    ``target_level``), release steps below the level minus the margin for ``held``, rules at
    yellow or above for ``capped``; ``None`` otherwise. ``veto_*`` name the veto rule, its
    value and its threshold for ``vetoed``; ``supply_backing`` says for ``capped`` whether a
    supply rule is at blue or above (it backs a red only where the rule set allows it).
    """

    kind: Basis
    indicator_level: Level
    indicator_direction: Direction
    target_level: Level
    target_direction: Direction
    count: int | None = None
    needed: int | None = None
    since: date | None = None
    last_confirmed: date | None = None
    earliest_change: date | None = None
    veto_rule: str | None = None
    veto_value: float | None = None
    veto_threshold: float | None = None
    supply_backing: bool | None = None

    @classmethod
    def no_data(cls) -> LevelBasis:
        return cls(Basis.NO_DATA, Level.NO_DATA, Direction.NONE, Level.NO_DATA, Direction.NONE)


@dataclass
class StepBasis:
    """The basis of every step of one material (arrays over steps)."""

    kind: np.ndarray  # int8 index into BASIS_ORDER
    ind_code: np.ndarray  # int8 level code (-1 no data) the indicators alone reach
    ind_dir: np.ndarray  # int8 +1 up, -1 down, 0 none
    target_code: np.ndarray  # pending/vetoed/capped: the level waited for; else the level
    target_dir: np.ndarray
    count: np.ndarray  # int64, -1 when not applicable
    needed: np.ndarray
    since: np.ndarray  # datetime64[ns]: first step of the current (level, direction) run
    last_confirmed: np.ndarray  # datetime64[ns]: last confirmed step of the run (NaT: none)
    earliest: np.ndarray  # datetime64[ns]: earliest step the level can change (NaT: no data)
    veto_col: np.ndarray  # int64 column of the veto rule (vetoed), else -1
    backed: np.ndarray  # bool: supply backing for a red in the target direction
    #: bool: something backs the shown warning's hold (hysteresis.backing), so the long
    #: release applies; set by the caller, which knows the rule set's backing
    hold_backed: np.ndarray | None = None
    short_release: bool = False  # the rule set releases unbacked warnings sooner

    def kinds(self) -> list[Basis]:
        return [BASIS_ORDER[int(k)] for k in self.kind]


@dataclass
class _Kinds:
    """Which basis each step has, and the level it waits for (see :func:`_classify`)."""

    kind: np.ndarray
    target: np.ndarray
    waiting: np.ndarray  # vetoed, capped or pending
    supported: np.ndarray  # the shown direction's (capped) score reaches the level shown


def step_basis(
    code: np.ndarray,
    direction: np.ndarray,
    sides: tuple[Side, Side],
    latched: tuple[Latched, Latched],
    persist: tuple[np.ndarray, np.ndarray],
    release: tuple[np.ndarray, np.ndarray],
    periods: np.ndarray,
    freqs: np.ndarray,
    red_min: int,
) -> StepBasis:
    """The basis of each step from the resolved levels and both directions' combination.

    ``sides``, ``latched``, ``persist`` and ``release`` are (up, down); ``persist`` (steps x
    3) and ``release`` (steps,) are the persistence and hysteresis steps in force at each step.
    """
    up, down = sides
    rows = np.arange(len(code))
    ind_code, ind_dir = indicator_levels(up.uncapped, down.uncapped, direction)
    t_up, d_up = ind_dir > 0, direction > 0  # where the indicators point; the shown direction
    # raising counts in the direction the indicators point; the next raise of the level shown
    # in the shown direction
    persist_t_dir = np.where(t_up[:, None], persist[0], persist[1])
    persist_d_dir = np.where(d_up[:, None], persist[0], persist[1])
    k = _classify(code, direction, ind_code, ind_dir, sides)
    t_idx = np.clip(k.target - 1, 0, 2)
    above_t = np.where(t_up, latched[0].above_run[rows, t_idx], latched[1].above_run[rows, t_idx])
    persist_t = np.maximum(persist_t_dir[rows, t_idx], 1)
    c_idx = np.clip(code - 1, 0, 2)
    below_d = np.where(d_up, latched[0].below_run[rows, c_idx], latched[1].below_run[rows, c_idx])
    rel = np.maximum(np.where(d_up, release[0], release[1]), 1)
    pending, held, capped = (k.kind == _CODE[b] for b in (Basis.PENDING, Basis.HELD, Basis.CAPPED))
    agreeing = np.where(t_up, up.agreeing, down.agreeing)
    count = np.select([pending, held, capped], [above_t, below_d, agreeing], -1)
    needed = np.select([pending, held, capped], [persist_t, rel, np.full(len(code), red_min)], -1)
    to_raise = persist_t - above_t
    for lvl in (1, 2):  # a level between the one shown and the target may be raised first
        mid = pending & (code < lvl) & (k.target > lvl)
        if mid.any():
            above_l = np.where(
                t_up, latched[0].above_run[:, lvl - 1], latched[1].above_run[:, lvl - 1]
            )
            sooner = np.maximum(persist_t_dir[:, lvl - 1], 1) - above_l
            to_raise = np.where(mid, np.minimum(to_raise, sooner), to_raise)
    ahead = _steps_ahead(code, k.kind, persist_d_dir, rel, to_raise, rel - below_d, persist_t_dir)
    since, last_confirmed = _run_dates(code, direction, k.supported, periods)
    nodata = code < 0
    vetoed = k.kind == _CODE[Basis.VETOED]
    return StepBasis(
        kind=k.kind,
        ind_code=ind_code,
        ind_dir=ind_dir,
        target_code=np.where(k.waiting, k.target, code).astype(np.int8),
        target_dir=np.where(k.waiting, ind_dir, direction).astype(np.int8),
        count=count.astype(np.int64),
        needed=needed.astype(np.int64),
        since=np.where(nodata, NAT, since),
        last_confirmed=last_confirmed,
        earliest=np.where(nodata, NAT, advance(periods, np.maximum(ahead, 1), freqs)),
        veto_col=np.where(vetoed, np.where(t_up, up.veto_col, down.veto_col), -1),
        backed=np.where(t_up, up.backed, down.backed),
    )


def _classify(
    code: np.ndarray,
    direction: np.ndarray,
    ind_code: np.ndarray,
    ind_dir: np.ndarray,
    sides: tuple[Side, Side],
) -> _Kinds:
    """The basis of each step, in order: no data; vetoed; capped; pending; supply only or
    confirmed; held (see the module docstring)."""
    up, down = sides
    t_up, d_up = ind_dir > 0, direction > 0
    nodata = code < 0
    higher = ~nodata & (ind_code > code)
    vetoed = higher & np.where(t_up, up.veto, down.veto)
    cap_code = codes_from_scores(np.where(t_up, up.raw, down.raw))  # what the cap allows
    capped = higher & ~vetoed & (ind_code == 3) & (cap_code == code)
    pending = higher & ~vetoed & ~capped
    # pending waits for the level the capped score reaches (yellow while red is capped)
    target = np.where(pending & (cap_code > code) & (cap_code < ind_code), cap_code, ind_code)
    shown = codes_from_scores(np.where(d_up, up.raw, down.raw))
    # the indicators alone stand at the level and direction shown: confirmed, even where the
    # agreement cap holds the combined score below it (a red kept while one rule is at red)
    agree = (ind_code == code) & ((code == 0) | (ind_dir == direction))
    same = ~nodata & ~higher & ((code == 0) | (shown == code) | agree)
    kind = np.select(
        [nodata, vetoed, capped, pending, same & up.from_supply, same, ~nodata],
        [_CODE[b] for b in (Basis.NO_DATA, Basis.VETOED, Basis.CAPPED, Basis.PENDING)]
        + [_CODE[Basis.SUPPLY_ONLY], _CODE[Basis.CONFIRMED], _CODE[Basis.HELD]],
        default=_CODE[Basis.NO_DATA],
    ).astype(np.int8)
    supported = same | (higher & (code > 0) & (shown >= code))
    return _Kinds(kind, target, vetoed | capped | pending, supported)


def indicator_levels(
    up: np.ndarray, down: np.ndarray, shown: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Level code and direction the indicators alone reach (uncapped combined scores).

    The higher level wins; when both directions reach the same level, the direction
    ``shown`` (if any), else the higher score; normal has no direction.
    """
    cu, cd = codes_from_scores(up), codes_from_scores(down)
    code = np.maximum(cu, cd).astype(np.int8)
    su, sd = np.nan_to_num(up, nan=-1.0), np.nan_to_num(down, nan=-1.0)
    tie_up = su >= sd if shown is None else np.where(shown != 0, shown > 0, su >= sd)
    up_wins = (cu > cd) | ((cu == cd) & tie_up)
    direction = np.where(code > 0, np.where(up_wins, 1, -1), 0).astype(np.int8)
    return code, direction


def _steps_ahead(
    code: np.ndarray,
    kind: np.ndarray,
    persist: np.ndarray,
    release: np.ndarray,
    to_raise: np.ndarray,
    to_release: np.ndarray,
    persist_target: np.ndarray,
) -> np.ndarray:
    """Steps until the level can change at the earliest (a veto aside): ``persist`` is the
    shown direction's persistence, ``persist_target`` the indicators' direction's."""
    rows = np.arange(len(code))
    p = np.maximum(persist, 1)
    pt = np.maximum(persist_target, 1)
    raise_next = np.where(code < 3, p[rows, np.clip(code, 0, 2)], release)
    steady = np.where(code > 0, np.minimum(release, raise_next), p.min(axis=1))
    return np.select(
        [kind == _CODE[b] for b in (Basis.PENDING, Basis.HELD, Basis.VETOED, Basis.CAPPED)],
        [to_raise, to_release, pt[rows, 1], pt[rows, 2]],
        steady,
    )


def _run_dates(
    code: np.ndarray, direction: np.ndarray, confirmed: np.ndarray, periods: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """First step of each step's (level, direction) run, and its last confirmed step."""
    n = len(code)
    idx = np.arange(n)
    if n == 0:
        return periods.copy(), periods.copy()
    change = np.r_[True, (code[1:] != code[:-1]) | (direction[1:] != direction[:-1])]
    start = np.maximum.accumulate(np.where(change, idx, 0))
    last = np.maximum.accumulate(np.where(confirmed, idx, -1))
    since = periods[start]
    last_confirmed = np.where(last >= start, periods[np.maximum(last, 0)], NAT)
    return since, last_confirmed


def advance(periods: np.ndarray, steps: np.ndarray, freqs: np.ndarray) -> np.ndarray:
    """The period ``steps`` steps after each period, at each step's frequency.

    Daily steps are trading days (Monday to Friday; holidays are not known here), so the
    date is the earliest possible one.
    """
    day = periods.astype("datetime64[D]")
    out = day.copy()
    for freq in np.unique(freqs):
        sel = freqs == freq
        d, k = day[sel], steps[sel]
        if freq == "D":
            out[sel] = np.busday_offset(d, k, roll="forward")
        elif freq == "W":
            out[sel] = d + 7 * k
        elif freq == "T":
            out[sel] = _ten_day_advance(d, k)
        else:
            months = {"M": 1, "Q": 3, "Y": 12}.get(str(freq), 1)
            out[sel] = (d.astype("datetime64[M]") + months * k).astype("datetime64[D]")
    return out.astype("datetime64[ns]")


def _ten_day_advance(days: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """Ten-day periods (starting on the 1st, 11th and 21st) ``steps`` periods later."""
    month = days.astype("datetime64[M]")
    third = np.minimum((days - month.astype("datetime64[D]")).astype(int) // 10, 2)
    total = third + steps
    new_month = month + total // 3
    return new_month.astype("datetime64[D]") + 10 * (total % 3)


def level_basis(basis: StepBasis, i: int) -> LevelBasis:
    """Step ``i`` as a :class:`LevelBasis` (veto names and values are added by the caller)."""
    kind = BASIS_ORDER[int(basis.kind[i])]
    count, needed = int(basis.count[i]), int(basis.needed[i])
    return LevelBasis(
        kind=kind,
        indicator_level=CODE_LEVEL[int(basis.ind_code[i])],
        indicator_direction=_direction(int(basis.ind_dir[i])),
        target_level=CODE_LEVEL[int(basis.target_code[i])],
        target_direction=_direction(int(basis.target_dir[i])),
        count=count if count >= 0 else None,
        needed=needed if needed >= 0 else None,
        since=_date(basis.since[i]),
        last_confirmed=_date(basis.last_confirmed[i]),
        earliest_change=_date(basis.earliest[i]),
        supply_backing=bool(basis.backed[i]) if kind == Basis.CAPPED else None,
    )


def _direction(d: int) -> Direction:
    return Direction.UP if d > 0 else Direction.DOWN if d < 0 else Direction.NONE


def _date(value: np.datetime64) -> date | None:
    if np.isnat(value):
        return None
    return date.fromisoformat(str(value.astype("datetime64[D]")))
