"""Plain-words reasons, one Chinese and one English sentence per indicator value.

e.g. 「上期所铜期货同比上涨52%，超过红色阈值50%」 / "SHFE copper futures up 52 % year on year,
above the red threshold of 50 %". The subject names the series (:mod:`rules.labels`).
"""

from __future__ import annotations

from rules.labels import Names
from rules.levels import LEVEL_NAMES_ZH, Level
from rules.ruleset import Rule
from rules.threshold_scores import fmt_number

__all__ = ["FREQ_WORDS", "Names", "ReasonWriter", "sentence"]

SUPPLY_NOTE = {  # what a level means when the rule is inverted (supply series)
    "up": ("（供应偏紧）", " (supply tightening)"),
    "down": ("（供应宽松）", " (supply loosening)"),
}
FREQ_WORDS = {
    "D": ("日", "daily"),
    "W": ("周", "weekly"),
    "T": ("旬", "ten-day"),
    "M": ("月", "monthly"),
    "Q": ("季", "quarterly"),
    "Y": ("年", "yearly"),
}


def sentence(
    *,
    rule: Rule,
    phrase: tuple[str, str],
    unit: str,
    subject: tuple[str, str],
    value: float,
    level: Level,
    direction: str,
    value_unit: str = "",
    comparative: bool = False,
) -> tuple[str, str]:
    """One reason in Chinese and English for an indicator value at a level.

    ``subject`` names the series (or the material for indicators that combine series).
    """
    subj_zh, subj_en = subject
    label_zh = rule.label_zh or phrase[0]
    label_en = rule.label_en or phrase[1]
    if level == Level.NO_DATA or value != value:
        return f"{subj_zh}{label_zh}无最新数据", f"{subj_en}: no recent data for {label_en}"
    if unit == "%" and comparative:  # "45 % below the same weeks of earlier years"
        word_zh, word_en = ("高", "above") if value >= 0 else ("低", "below")
        body_zh = f"{subj_zh}{label_zh}{word_zh}{fmt_number(abs(value))}%"
        body_en = f"{subj_en} {fmt_number(abs(value))} % {word_en} {label_en}"
    elif unit == "%":
        verb_zh = "上涨" if value >= 0 else "下跌"
        verb_en = "up" if value >= 0 else "down"
        body_zh = f"{subj_zh}{label_zh}{verb_zh}{fmt_number(abs(value))}%"
        body_en = f"{subj_en} {verb_en} {fmt_number(abs(value))} % {label_en}"
    elif unit == "pp":  # a difference of two rates, in percentage points
        sign = "+" if value > 0 else ""
        body_zh = f"{subj_zh}{label_zh}为{sign}{fmt_number(value)}个百分点"
        body_en = f"{subj_en}: {label_en} {sign}{fmt_number(value)} pp"
    elif rule.detector == "band":
        vu = f" {value_unit}" if value_unit else ""
        body_zh = f"{subj_zh}为{fmt_number(value)}{value_unit}"
        body_en = f"{subj_en} at {fmt_number(value)}{vu}"
    else:
        body_zh = f"{subj_zh}{label_zh}为{fmt_number(value)}"
        body_en = f"{subj_en}: {label_en} {fmt_number(value)}"
    tail_zh, tail_en = _threshold_clause(rule, level, value, unit)
    note_zh, note_en = ("", "")
    if rule.invert and level not in (Level.NORMAL, Level.NO_DATA) and direction:
        note_zh, note_en = SUPPLY_NOTE[direction]
    return body_zh + tail_zh + note_zh, body_en + tail_en + note_en


class ReasonWriter:
    """Sentences for one indicator column; the fixed parts are built once and memoised."""

    def __init__(
        self,
        *,
        rule: Rule,
        phrase: tuple[str, str],
        unit: str,
        subject: tuple[str, str],
        value_unit: str = "",
        comparative: bool = False,
    ) -> None:
        self.rule = rule
        self.subject = subject
        self.phrase = (rule.label_zh or phrase[0], rule.label_en or phrase[1])
        self._kw = {
            "rule": rule,
            "phrase": phrase,
            "unit": unit,
            "subject": subject,
            "value_unit": value_unit,
            "comparative": comparative,
        }
        self._memo: dict[tuple[str, Level, str], tuple[str, str]] = {}

    def __call__(self, value: float, level: Level, direction: str) -> tuple[str, str]:
        key = (fmt_number(value), level, direction)
        if key not in self._memo:
            self._memo[key] = sentence(value=value, level=level, direction=direction, **self._kw)  # type: ignore[arg-type]
        return self._memo[key]

    def superseded(self, finer: str) -> tuple[str, str]:
        """The value is hidden because a finer series of the kind has data (e.g. daily)."""
        zh, en = FREQ_WORDS.get(finer, (finer, finer))
        return (
            f"{self.subject[0]}{self.phrase[0]}：已由{zh}数据取代",
            f"{self.subject[1]}: {self.phrase[1]} superseded by {en} data",
        )

    def stale(self, last: str) -> tuple[str, str]:
        """No value recent enough: the last one was for the period starting ``last``."""
        return f"{self.subject[0]}：{last}之后无数据", f"{self.subject[1]}: no data after {last}"

    def short_history(self) -> tuple[str, str]:
        """The series has no value of this indicator yet (its history is too short)."""
        return (
            f"{self.subject[0]}{self.phrase[0]}：历史数据不足",
            f"{self.subject[1]}: not enough history yet for {self.phrase[1]}",
        )


def _threshold_clause(rule: Rule, level: Level, value: float, unit: str) -> tuple[str, str]:
    sp = {"%": " %", "pp": " pp"}.get(unit, "")
    zu = {"%": "%", "pp": "个百分点"}.get(unit, "")
    if level in (Level.BLUE, Level.YELLOW, Level.RED):
        high = value >= 0 if rule.detector != "band" else _is_high(rule, value)
        th = rule.up if high else rule.down
        t = _threshold_of(th, level)
        if t is None:
            return "", ""
        word_zh = "超过" if high else "低于"
        word_en = "above" if high else "below"
        return (
            f"，{word_zh}{LEVEL_NAMES_ZH[level]}阈值{fmt_number(t)}{zu}",
            f", {word_en} the {level.value} threshold of {fmt_number(t)}{sp}",
        )
    lo = _threshold_of(rule.down, Level.BLUE) if rule.down else None
    hi = _threshold_of(rule.up, Level.BLUE) if rule.up else None
    lo = lo if lo is not None else _first(rule.down)
    hi = hi if hi is not None else _first(rule.up)
    rng = " ~ ".join(fmt_number(x) + zu for x in (lo, hi) if x is not None)
    rng_en = " to ".join(fmt_number(x) + sp for x in (lo, hi) if x is not None)
    return f"，处于正常范围（{rng}）", f", within the normal range ({rng_en})"


def _is_high(rule: Rule, value: float) -> bool:
    if rule.up is None:
        return False
    if rule.down is None:
        return True
    return value >= (_first(rule.up) or 0.0)


def _first(th: object) -> float | None:
    pts = th.points() if th is not None and hasattr(th, "points") else []
    return pts[0][1] if pts else None


def _threshold_of(th: object, level: Level) -> float | None:
    if th is None:
        return None
    return getattr(th, level.value, None)
