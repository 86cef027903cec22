"""The first clause of every reason: the level and why it stands, in Chinese and English.

e.g. 「黄色↓，自2026-06-15起保持（2026-07-30最后确认），各指标现为正常，连续16/20日高于-15%，
最早2026-08-27解除」 / "Yellow ↓ held since 2026-06-15 (last confirmed 2026-07-30); indicators
now normal; 16 of 20 days above -15 %, clears 2026-08-27 at the earliest".

The clause ends with 「。」 / ". " so that a reader (and a test) can tell it from the indicator
sentences that follow. :func:`state_clauses` writes whole arrays of steps at once: the words
are a few templates per basis, joined with the per-step numbers and dates as numpy object
arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rules.basis import BASIS_ORDER, Basis
from rules.levels import LEVEL_NAMES_ZH, Level

LEVEL_EN = {
    Level.NO_DATA: "No data",
    Level.NORMAL: "Normal",
    Level.BLUE: "Blue",
    Level.YELLOW: "Yellow",
    Level.RED: "Red",
}
#: Steps of each frequency in words: (中文 unit, English plural).
STEP_WORDS = {
    "D": ("日", "days"),
    "W": ("周", "weeks"),
    "T": ("旬", "ten-day periods"),
    "M": ("个月", "months"),
    "Q": ("个季度", "quarters"),
    "Y": ("年", "years"),
}
#: Words a replay test (and a reader) can look for: what each basis says in each language.
BASIS_WORDS = {
    Basis.CONFIRMED: ("确认", "confirmed"),
    Basis.PENDING: ("待持续", "so far"),
    Basis.HELD: ("保持", "held"),
    Basis.VETOED: ("否决", "vetoed"),
    Basis.CAPPED: ("红色需", "red needs"),
    Basis.SUPPLY_ONLY: ("仅由供给侧", "supply indicators only"),
    Basis.NO_DATA: ("无最新数据", "no recent data"),
}
CLAUSE_END = ("。", ".")
_CODES = (-1, 0, 1, 2, 3)
_LEVEL_OF = {-1: Level.NO_DATA, 0: Level.NORMAL, 1: Level.BLUE, 2: Level.YELLOW, 3: Level.RED}


def _head_table() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """「黄色↑」 / "Yellow ↑" and their lower-case English, by (code + 1) * 3 + direction % 3."""
    zh, en, en_lower = [], [], []
    for code in _CODES:
        for d in (0, 1, -1):
            level = _LEVEL_OF[code]
            arrow = {1: "↑", -1: "↓", 0: ""}[d] if code > 0 else ""
            zh.append(f"{LEVEL_NAMES_ZH[level]}{arrow}")
            en.append(f"{LEVEL_EN[level]}{' ' + arrow if arrow else ''}")
            en_lower.append(en[-1].lower())
    return (
        np.array(zh, dtype=object),
        np.array(en, dtype=object),
        np.array(en_lower, dtype=object),
        np.array([0], dtype=object),
    )


_HEAD_ZH, _HEAD_EN, _HEAD_EN_LOWER, _ = _head_table()


@dataclass
class StateArrays:
    """Everything the first clauses say, one entry per step (dates as ISO text, "" none)."""

    kind: np.ndarray  # int8 basis codes (rules.basis.BASIS_ORDER)
    code: np.ndarray  # level code -1..3
    direction: np.ndarray  # +1 / -1 / 0
    ind_code: np.ndarray
    ind_dir: np.ndarray
    target_code: np.ndarray
    target_dir: np.ndarray
    freq: np.ndarray  # frequency letter per step
    count: np.ndarray  # int, -1 where not applicable
    needed: np.ndarray
    since: np.ndarray  # object: ISO dates or ""
    last_confirmed: np.ndarray
    earliest: np.ndarray
    release: np.ndarray  # object: the value held steps must stay beyond, or ""
    veto_zh: np.ndarray  # object: the veto rule's sentence, or ""
    veto_en: np.ndarray
    supply_agrees: np.ndarray  # bool: capped steps with a supply rule at blue or above
    hold_backed: np.ndarray  # int8: held steps 1 backed, 0 not, -1 one release length only
    supply_backs_red: bool = False
    red_min: int = 2  # rules at yellow a red needs (the agreement cap)


def heads(code: np.ndarray, direction: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """「黄色↑」 / "Yellow ↑" for arrays of level and direction codes."""
    i = (np.asarray(code, dtype=np.int64) + 1) * 3 + np.asarray(direction) % 3
    return _HEAD_ZH[i], _HEAD_EN[i]


def state_clauses(s: StateArrays) -> tuple[np.ndarray, np.ndarray]:
    """The first statement of every step, ending with 「。」 / "." (object arrays)."""
    n = len(s.kind)
    zh = np.empty(n, dtype=object)
    en = np.empty(n, dtype=object)
    for kind in np.unique(s.kind):
        sel = np.flatnonzero(s.kind == kind)
        z, e = _WRITERS[BASIS_ORDER[int(kind)]](s, sel)
        zh[sel] = z + CLAUSE_END[0]
        en[sel] = e + CLAUSE_END[1]
    return zh, en


def _since(s: StateArrays, sel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    since = s.since[sel]
    has = since != ""
    return (
        np.where(has, "，自" + since + "起", "").astype(object),
        np.where(has, " since " + since, "").astype(object),
    )


def _units(s: StateArrays, sel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    freq = s.freq[sel]
    zh = np.array([STEP_WORDS.get(str(f), STEP_WORDS["D"])[0] for f in freq], dtype=object)
    en = np.array([STEP_WORDS.get(str(f), STEP_WORDS["D"])[1] for f in freq], dtype=object)
    return zh, en


def _ints(values: np.ndarray) -> np.ndarray:
    return np.asarray(values).astype(str).astype(object)


def _confirmed(s: StateArrays, sel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    h_zh, h_en = heads(s.code[sel], s.direction[sel])
    since_zh, since_en = _since(s, sel)
    normal = s.code[sel] == 0
    zh = h_zh + since_zh + np.where(normal, "，各指标均未达预警，确认", "，指标确认")
    en = (
        h_en
        + since_en
        + np.where(
            normal, ", confirmed: no indicator at a warning level", ", confirmed by the indicators"
        )
    )
    return zh, en


def _supply_only(s: StateArrays, sel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    h_zh, h_en = heads(s.code[sel], s.direction[sel])
    since_zh, since_en = _since(s, sel)
    return (
        h_zh + since_zh + "，无价格数据，仅由供给侧指标确定",
        h_en + since_en + ", set by supply indicators only (no price data)",
    )


def _held(s: StateArrays, sel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    h_zh, h_en = heads(s.code[sel], s.direction[sel])
    i_zh, _ = heads(s.ind_code[sel], s.ind_dir[sel])
    i_en = _HEAD_EN_LOWER[(s.ind_code[sel].astype(np.int64) + 1) * 3 + s.ind_dir[sel] % 3]
    unit_zh, unit_en = _units(s, sel)
    last = s.last_confirmed[sel]
    has_last = last != ""
    last_zh = np.where(has_last, "（" + last + "最后确认）", "").astype(object)
    last_en = np.where(has_last, " (last confirmed " + last + ")", "").astype(object)
    release = s.release[sel]
    has_rel = release != ""
    down = s.direction[sel] < 0
    beyond_zh = np.where(
        has_rel, np.where(down, "高于", "低于").astype(object) + release + "%", ""
    ).astype(object)
    beyond_en = np.where(
        has_rel, np.where(down, " above ", " below ").astype(object) + release + " %", ""
    ).astype(object)
    backed = s.hold_backed[sel]
    short_zh = np.select(
        [backed == 0, backed == 1], ["（已无支撑，短解除期）", "（仍有支撑，长解除期）"], ""
    ).astype(object)
    short_en = np.select(
        [backed == 0, backed == 1],
        [" (no longer backed: short release)", " (still backed: long release)"],
        "",
    ).astype(object)
    clears = s.ind_code[sel] == 0
    earliest = s.earliest[sel]
    has_e = earliest != ""
    when_zh = np.where(
        has_e, "，最早" + earliest + np.where(clears, "解除", "下调").astype(object), ""
    ).astype(object)
    when_en = np.where(
        has_e,
        ", " + np.where(clears, "clears ", "lowered ").astype(object) + earliest
        + " at the earliest",
        "",
    ).astype(object)  # fmt: skip
    count, needed = _ints(s.count[sel]), _ints(s.needed[sel])
    zh = (
        h_zh + "，自" + s.since[sel] + "起保持" + last_zh + "，各指标现为" + i_zh + "，连续"
        + count + "/" + needed + unit_zh + beyond_zh + short_zh + when_zh
    )  # fmt: skip
    en = (
        h_en + " held since " + s.since[sel] + last_en + "; indicators now " + i_en + "; "
        + count + " of " + needed + " " + unit_en + beyond_en + short_en + when_en
    )  # fmt: skip
    return zh, en


def _pending(s: StateArrays, sel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    h_zh, h_en = heads(s.code[sel], s.direction[sel])
    since_zh, since_en = _since(s, sel)
    t_zh, _ = heads(s.target_code[sel], s.target_dir[sel])
    t_en = _HEAD_EN_LOWER[(s.target_code[sel].astype(np.int64) + 1) * 3 + s.target_dir[sel] % 3]
    unit_zh, unit_en = _units(s, sel)
    earliest = s.earliest[sel]
    has_e = earliest != ""
    when_zh = np.where(has_e, "，最早" + earliest + "升级", "").astype(object)
    when_en = np.where(has_e, ", raised " + earliest + " at the earliest", "").astype(object)
    count, needed = _ints(s.count[sel]), _ints(s.needed[sel])
    capped = s.ind_code[sel] > s.target_code[sel]  # red reached, but held to yellow by the cap
    cap_zh = np.where(capped, f"（红色另需{s.red_min}项指标达黄色）", "").astype(object)
    cap_en = np.where(capped, f" (red also needs {s.red_min} rules at yellow)", "").astype(object)
    zh = (
        h_zh + since_zh + "；指标已达" + t_zh + cap_zh + "，待持续：已" + count + "/" + needed
        + unit_zh + when_zh
    )  # fmt: skip
    en = (
        h_en + since_en + "; indicators at " + t_en + cap_en + ", " + count + " of " + needed
        + " " + unit_en + " so far" + when_en
    )  # fmt: skip
    return zh, en


def _vetoed(s: StateArrays, sel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    h_zh, h_en = heads(s.code[sel], s.direction[sel])
    since_zh, since_en = _since(s, sel)
    t_zh, _ = heads(s.target_code[sel], s.target_dir[sel])
    t_en = _HEAD_EN_LOWER[(s.target_code[sel].astype(np.int64) + 1) * 3 + s.target_dir[sel] % 3]
    why_zh = np.where(s.veto_zh[sel] != "", s.veto_zh[sel], "反向变动达到否决阈值")
    why_en = np.where(
        s.veto_en[sel] != "", s.veto_en[sel], "a reverse move beyond the veto threshold"
    )
    return (
        h_zh + since_zh + "；指标已达" + t_zh + "，但被否决：" + why_zh.astype(object),
        h_en + since_en + "; indicators at " + t_en + ", but vetoed: " + why_en.astype(object),
    )


def _capped(s: StateArrays, sel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    h_zh, h_en = heads(s.code[sel], s.direction[sel])
    since_zh, since_en = _since(s, sel)
    agrees = s.supply_agrees[sel] & (not s.supply_backs_red)
    back_zh = np.where(agrees, "，供给侧同向但本规则集不以其支撑红色", "，无供给侧支撑")
    back_en = np.where(
        agrees,
        "; the supply side agrees, but this rule set does not let it back a red",
        "; no supply backing",
    )
    count, needed = _ints(s.count[sel]), _ints(s.needed[sel])
    zh = h_zh + since_zh + "；有指标达红色，但红色需" + needed + "项指标达黄色，现" + count + "项"
    en = (
        h_en + since_en + "; an indicator is at red, but red needs " + needed
        + " rules at yellow, " + count + " now"
    )  # fmt: skip
    return zh + back_zh.astype(object), en + back_en.astype(object)


def _no_data(s: StateArrays, sel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(sel)
    return (
        np.full(n, "无最新数据（数据缺失或已过期）", dtype=object),
        np.full(n, "No recent data (missing or stale)", dtype=object),
    )


_WRITERS = {
    Basis.CONFIRMED: _confirmed,
    Basis.SUPPLY_ONLY: _supply_only,
    Basis.HELD: _held,
    Basis.PENDING: _pending,
    Basis.VETOED: _vetoed,
    Basis.CAPPED: _capped,
    Basis.NO_DATA: _no_data,
}
