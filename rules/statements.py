"""The first clause of every reason: the level and why it stands, in Chinese and English.

e.g. 「黄色↓，自2026-06-15起保持（2026-07-30最后确认），各指标现为正常，连续16/20日高于-15%，
最早2026-08-27解除」 / "Yellow ↓ held since 2026-06-15 (last confirmed 2026-07-30); indicators
now normal; 16 of 20 days above -15 %, clears 2026-08-27 at the earliest".

The clause ends with 「。」 / ". " so that a reader (and a test) can tell it from the indicator
sentences that follow.
"""

from __future__ import annotations

from dataclasses import dataclass

from rules.basis import Basis
from rules.levels import LEVEL_NAMES_ZH, Direction, Level

ARROW = {Direction.UP: "↑", Direction.DOWN: "↓", Direction.NONE: ""}
LEVEL_EN = {
    Level.NO_DATA: "No data",
    Level.NORMAL: "Normal",
    Level.BLUE: "Blue",
    Level.YELLOW: "Yellow",
    Level.RED: "Red",
}
#: Steps of each frequency in words: (中文 unit, English singular, English plural).
STEP_WORDS = {
    "D": ("日", "day", "days"),
    "W": ("周", "week", "weeks"),
    "T": ("旬", "ten-day period", "ten-day periods"),
    "M": ("个月", "month", "months"),
    "Q": ("个季度", "quarter", "quarters"),
    "Y": ("年", "year", "years"),
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
CLAUSE_END = ("。", ". ")


@dataclass(frozen=True)
class State:
    """Everything the first clause says, as plain values (dates as ISO text)."""

    basis: Basis
    level: Level
    direction: Direction
    indicator_level: Level
    indicator_direction: Direction
    target_level: Level
    target_direction: Direction
    freq: str = "D"
    count: int | None = None
    needed: int | None = None
    since: str | None = None
    last_confirmed: str | None = None
    earliest: str | None = None
    release_value: str | None = None  # held: the value the lead indicator must stay beyond
    veto: tuple[str, str] | None = None  # vetoed: the veto rule's sentence
    supply_agrees: bool = False  # capped: a supply rule is at blue or above
    supply_backs_red: bool = False  # capped: the rule set lets supply back a red
    hold_backed: bool | None = None  # held: None when the rule set has one release length


def head(level: Level, direction: Direction) -> tuple[str, str]:
    """「黄色↑」 / "Yellow ↑"; 「正常」 / "Normal"."""
    arrow = ARROW[direction] if level in (Level.BLUE, Level.YELLOW, Level.RED) else ""
    return f"{LEVEL_NAMES_ZH[level]}{arrow}", f"{LEVEL_EN[level]}{' ' + arrow if arrow else ''}"


def state_clause(state: State) -> tuple[str, str]:
    """The first clause, ending with 「。」 / ". "."""
    zh, en = _WRITERS[state.basis](state)
    return zh + CLAUSE_END[0], en + CLAUSE_END[1]


def _since(state: State) -> tuple[str, str]:
    if not state.since:
        return "", ""
    return f"，自{state.since}起", f" since {state.since}"


def _confirmed(s: State) -> tuple[str, str]:
    h_zh, h_en = head(s.level, s.direction)
    since_zh, since_en = _since(s)
    if s.level == Level.NORMAL:
        return (
            f"{h_zh}{since_zh}，各指标均未达预警，确认",
            f"{h_en}{since_en}, confirmed: no indicator at a warning level",
        )
    return f"{h_zh}{since_zh}，指标确认", f"{h_en}{since_en}, confirmed by the indicators"


def _supply_only(s: State) -> tuple[str, str]:
    h_zh, h_en = head(s.level, s.direction)
    since_zh, since_en = _since(s)
    return (
        f"{h_zh}{since_zh}，无价格数据，仅由供给侧指标确定",
        f"{h_en}{since_en}, set by supply indicators only (no price data)",
    )


def _held(s: State) -> tuple[str, str]:
    h_zh, h_en = head(s.level, s.direction)
    i_zh, i_en = head(s.indicator_level, s.indicator_direction)
    unit_zh, _, unit_en = STEP_WORDS.get(s.freq, STEP_WORDS["D"])
    last_zh = f"（{s.last_confirmed}最后确认）" if s.last_confirmed else ""
    last_en = f" (last confirmed {s.last_confirmed})" if s.last_confirmed else ""
    beyond_zh = beyond_en = ""
    if s.release_value:
        above = s.direction == Direction.DOWN
        beyond_zh = f"{'高于' if above else '低于'}{s.release_value}%"
        beyond_en = f" {'above' if above else 'below'} {s.release_value} %"
    clears = s.indicator_level == Level.NORMAL
    ends_zh, ends_en = ("解除", "clears") if clears else ("下调", "lowered")
    when_zh = f"，最早{s.earliest}{ends_zh}" if s.earliest else ""
    when_en = f", {ends_en} {s.earliest} at the earliest" if s.earliest else ""
    short_zh = short_en = ""
    if s.hold_backed is False:
        short_zh, short_en = "（已无支撑，短解除期）", " (no longer backed: short release)"
    elif s.hold_backed:
        short_zh, short_en = "（仍有支撑，长解除期）", " (still backed: long release)"
    return (
        f"{h_zh}，自{s.since}起保持{last_zh}，各指标现为{i_zh.lower()}，"
        f"连续{s.count}/{s.needed}{unit_zh}{beyond_zh}{short_zh}{when_zh}",
        f"{h_en} held since {s.since}{last_en}; indicators now {i_en.lower()}; "
        f"{s.count} of {s.needed} {unit_en}{beyond_en}{short_en}{when_en}",
    )


def _pending(s: State) -> tuple[str, str]:
    h_zh, h_en = head(s.level, s.direction)
    since_zh, since_en = _since(s)
    t_zh, t_en = head(s.target_level, s.target_direction)
    unit_zh, _, unit_en = STEP_WORDS.get(s.freq, STEP_WORDS["D"])
    when_zh = f"，最早{s.earliest}升级" if s.earliest else ""
    when_en = f", raised {s.earliest} at the earliest" if s.earliest else ""
    return (
        f"{h_zh}{since_zh}；指标已达{t_zh}，待持续：已{s.count}/{s.needed}{unit_zh}{when_zh}",
        f"{h_en}{since_en}; indicators at {t_en.lower()}, {s.count} of {s.needed} "
        f"{unit_en} so far{when_en}",
    )


def _vetoed(s: State) -> tuple[str, str]:
    h_zh, h_en = head(s.level, s.direction)
    since_zh, since_en = _since(s)
    t_zh, t_en = head(s.target_level, s.target_direction)
    why_zh, why_en = s.veto or ("反向变动达到否决阈值", "a reverse move beyond the veto threshold")
    return (
        f"{h_zh}{since_zh}；指标已达{t_zh}，但被否决：{why_zh}",
        f"{h_en}{since_en}; indicators at {t_en.lower()}, but vetoed: {why_en}",
    )


def _capped(s: State) -> tuple[str, str]:
    h_zh, h_en = head(s.level, s.direction)
    since_zh, since_en = _since(s)
    if s.supply_agrees and not s.supply_backs_red:
        back_zh = "，供给侧同向但本规则集不以其支撑红色"
        back_en = "; the supply side agrees, but this rule set does not let it back a red"
    else:
        back_zh, back_en = "，无供给侧支撑", "; no supply backing"
    return (
        f"{h_zh}{since_zh}；有指标达红色，但红色需{s.needed}项指标达黄色，现{s.count}项{back_zh}",
        f"{h_en}{since_en}; an indicator is at red, but red needs {s.needed} rules at yellow, "
        f"{s.count} now{back_en}",
    )


def _no_data(s: State) -> tuple[str, str]:
    return "无最新数据（数据缺失或已过期）", "No recent data (missing or stale)"


_WRITERS = {
    Basis.CONFIRMED: _confirmed,
    Basis.SUPPLY_ONLY: _supply_only,
    Basis.HELD: _held,
    Basis.PENDING: _pending,
    Basis.VETOED: _vetoed,
    Basis.CAPPED: _capped,
    Basis.NO_DATA: _no_data,
}
