"""Plain-words reasons, one Chinese and one English sentence per indicator value.

e.g. 「上期所铜期货同比上涨52%，超过红色阈值50%」 / "SHFE copper futures up 52 % year on year,
above the red threshold of 50 %". The subject names the series (:mod:`rules.labels`).

A sentence is a template around its number: the words before and after it depend only on the
level, the direction and which side of the scale the value is on, so they are built once per
indicator column and combination (:meth:`ReasonWriter.parts`) and whole arrays of values are
written at once (:meth:`ReasonWriter.texts`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rules.labels import Names
from rules.levels import CODE_LEVEL, LEVEL_NAMES_ZH, Level
from rules.ruleset import Rule
from rules.threshold_scores import distinct_numbers, fmt_number

__all__ = ["FREQ_WORDS", "Names", "Parts", "ReasonWriter", "sentence"]

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
_DIRECTIONS = ("", "up", "down")  # index by direction code (+1 / -1 / 0)


@dataclass(frozen=True)
class Parts:
    """The words around a sentence's number, in both languages."""

    zh_before: str
    zh_after: str
    en_before: str
    en_after: str


class ReasonWriter:
    """Sentences for one indicator column; templates are built once per combination."""

    def __init__(
        self,
        *,
        rule: Rule,
        phrase: tuple[str, str],
        unit: str,
        subject: tuple[str, str],
        value_unit: str = "",
        comparative: bool = False,
        signed: bool = True,
    ) -> None:
        self.rule = rule
        self.unit = unit
        self.subject = subject
        self.phrase = (rule.label_zh or phrase[0], rule.label_en or phrase[1])
        self.value_unit = value_unit
        self.comparative = comparative
        self.signed = signed and rule.detector != "band"
        #: how the number is written: its size (the words carry the sign), signed, or "+x"
        self.number = "abs" if unit == "%" else "plus" if unit == "pp" else "signed"
        self._parts: dict[tuple[Level, str, bool], Parts] = {}
        self._inner: ReasonWriter | None = None

    def inner(self) -> ReasonWriter:
        """The same writer for use inside a sentence: "coke price ..." rather than "Coke
        price ..." (a name such as "NBS ..." or "PVC ..." keeps its capitals)."""
        if self._inner is None:
            en = self.subject[1]
            lowered = en[:1].lower() + en[1:] if en[1:2].islower() else en
            self._inner = ReasonWriter(
                rule=self.rule,
                phrase=self.phrase,
                unit=self.unit,
                subject=(self.subject[0], lowered),
                value_unit=self.value_unit,
                comparative=self.comparative,
                signed=self.signed,
            )
        return self._inner

    def high(self, values: np.ndarray) -> np.ndarray:
        """Whether each value is on the ``up`` side of the rule's scale."""
        values = np.asarray(values, dtype=float)
        if self.signed:
            return values >= 0
        if self.rule.up is None:
            return np.zeros(values.shape, dtype=bool)
        if self.rule.down is None:
            return np.ones(values.shape, dtype=bool)
        return values >= (_first(self.rule.up) or 0.0)

    def parts(self, level: Level, direction: str, high: bool) -> Parts:
        """The template of a value at ``level`` on the ``high`` side, for the material
        ``direction`` (which only an inverted supply rule mentions)."""
        key = (level, direction, high)
        if key not in self._parts:
            self._parts[key] = _parts(self, level, direction, high)
        return self._parts[key]

    def texts(
        self, values: np.ndarray, codes: np.ndarray, directions: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Sentences for arrays of values with their level codes (0-3) and direction codes
        (+1, -1, 0), as object arrays (Chinese, English)."""
        values = np.asarray(values, dtype=float)
        high = self.high(values)
        shown = np.abs(values) if self.number == "abs" else values
        numbers, which = distinct_numbers(shown)
        plus = (values > 0) & (self.number == "plus")
        key = np.asarray(codes, dtype=np.int64) * 6 + (np.asarray(directions) % 3) * 2 + high
        # one sentence per distinct (template, printed number, sign): values repeat a lot
        combo = (key * 2 + plus) * len(numbers) + which
        unique, inverse = np.unique(combo, return_inverse=True)
        rest, n = np.divmod(unique, len(numbers))
        k, sign = np.divmod(rest, 2)
        templates, which_template = np.unique(k, return_inverse=True)
        parts = [
            self.parts(CODE_LEVEL[int(t) // 6], _DIRECTIONS[(int(t) % 6) // 2], bool(t % 2))
            for t in templates
        ]
        table = np.array(
            [(p.zh_before, p.zh_after, p.en_before, p.en_after) for p in parts], dtype=object
        ).reshape(len(parts), 4)[which_template.ravel()]
        number = np.where(sign > 0, "+", "").astype(object) + numbers[n]
        zh_u = table[:, 0] + number + table[:, 1]
        en_u = table[:, 2] + number + table[:, 3]
        return zh_u[inverse.ravel()], en_u[inverse.ravel()]

    def one(self, value: float, code: int, direction: int) -> tuple[str, str]:
        """One sentence, without arrays: a value, its level code (0-3) and direction code."""
        high = value >= 0 if self.signed else bool(self.high(np.array([value]))[0])
        if self.number == "abs":
            number = fmt_number(abs(value))
        else:
            number = ("+" if self.number == "plus" and value > 0 else "") + fmt_number(value)
        p = self.parts(CODE_LEVEL[code], _DIRECTIONS[direction % 3], high)
        return p.zh_before + number + p.zh_after, p.en_before + number + p.en_after

    def __call__(self, value: float, level: Level, direction: str) -> tuple[str, str]:
        """One sentence (see :func:`sentence`)."""
        code = {Level.BLUE: 1, Level.YELLOW: 2, Level.RED: 3}.get(level, 0)
        return self.one(value, code, {"up": 1, "down": -1}.get(direction, 0))

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
    writer = ReasonWriter(
        rule=rule,
        phrase=phrase,
        unit=unit,
        subject=subject,
        value_unit=value_unit,
        comparative=comparative,
    )
    if level == Level.NO_DATA or value != value:
        s_zh, s_en = subject
        return (
            f"{s_zh}{writer.phrase[0]}无最新数据",
            f"{s_en}: no recent data for {writer.phrase[1]}",
        )
    return writer(value, level, direction)


def _parts(w: ReasonWriter, level: Level, direction: str, high: bool) -> Parts:
    """The words around the number (see the module docstring)."""
    s_zh, s_en = w.subject
    l_zh, l_en = w.phrase
    if w.unit == "%" and w.comparative:  # "45 % below the same weeks of earlier years"
        word_zh, word_en = ("高", "above") if high else ("低", "below")
        zh = (f"{s_zh}{l_zh}{word_zh}", "%")
        en = (f"{s_en} ", f" % {word_en} {l_en}")
    elif w.unit == "%":
        verb_zh, verb_en = ("上涨", "up") if high else ("下跌", "down")
        zh = (f"{s_zh}{l_zh}{verb_zh}", "%")
        en = (f"{s_en} {verb_en} ", f" % {l_en}")
    elif w.unit == "pp":  # a difference of two rates, in percentage points
        zh = (f"{s_zh}{l_zh}为", "个百分点")
        en = (f"{s_en}: {l_en} ", " pp")
    elif w.rule.detector == "band":
        vu = f" {w.value_unit}" if w.value_unit else ""
        zh = (f"{s_zh}为", w.value_unit)
        en = (f"{s_en} at ", vu)
    else:
        zh = (f"{s_zh}{l_zh}为", "")
        en = (f"{s_en}: {l_en} ", "")
    tail_zh, tail_en = _threshold_clause(w.rule, level, high, w.unit)
    note_zh, note_en = ("", "")
    if w.rule.invert and level not in (Level.NORMAL, Level.NO_DATA) and direction:
        note_zh, note_en = SUPPLY_NOTE[direction]
    return Parts(zh[0], zh[1] + tail_zh + note_zh, en[0], en[1] + tail_en + note_en)


def _threshold_clause(rule: Rule, level: Level, high: bool, unit: str) -> tuple[str, str]:
    sp = {"%": " %", "pp": " pp"}.get(unit, "")
    zu = {"%": "%", "pp": "个百分点"}.get(unit, "")
    if level in (Level.BLUE, Level.YELLOW, Level.RED):
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


def _first(th: object) -> float | None:
    pts = th.points() if th is not None and hasattr(th, "points") else []
    return pts[0][1] if pts else None


def _threshold_of(th: object, level: Level) -> float | None:
    if th is None:
        return None
    return getattr(th, level.value, None)
