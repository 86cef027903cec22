"""Row checks on a submission, before anything is stored: the field is the form's, the value
a finite number in a known unit and within the field's range, a total the sum of its parts;
and the plausibility question: a value far from the enterprise's own recent history is a
jump, asked about (stored, used once confirmed), never refused.

Plain data in and out: the service gives the current values and the history.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from warning.reporting.forms import Form, FormField

TOTAL_TOLERANCE = 0.005  # a total may differ from the sum of its parts by 0.5 % (rounding)
HISTORY_PERIODS = 6  # the enterprise's own last values a new one is compared with
JUMP_TOLERANCE = 1e-9  # a value exactly `jump` away (70 or 130 for 0.3 of 100) is no jump


@dataclass(frozen=True)
class Entry:
    """A value as sent (a number, else it is refused) and, optionally, the unit it is in."""

    value: object
    unit: str | None = None


@dataclass(frozen=True)
class Question:
    """A jump: the value, the median of the enterprise's recent values, and the change."""

    field: str
    value: float
    reference: float

    @property
    def change(self) -> float:
        return self.value / self.reference - 1


@dataclass(frozen=True)
class Checked:
    """The submission's values in the fields' units, the refused fields with why, and the
    questions (jumps not confirmed in this submission)."""

    values: dict[str, float] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    jumps: dict[str, Question] = field(default_factory=dict)


def check_values(
    form: Form,
    entries: Mapping[str, Entry],
    *,
    current: Mapping[str, float],
    history: Mapping[str, Sequence[float]],
) -> Checked:
    """Check ``entries`` for ``form`` against the report's ``current`` values (a correction
    may send only what changes) and each field's ``history`` (its latest earlier values)."""
    values: dict[str, float] = {}
    refused: dict[str, str] = {}
    if not entries:
        refused["values"] = "no value was sent"
    for field_id, entry in entries.items():
        spec = form.field(field_id)
        if spec is None:
            refused[field_id] = f"not a field of form {form.id}"
            continue
        problem, value = _one_value(spec, entry)
        if problem is not None:
            refused[field_id] = problem
        else:
            values[field_id] = value
    merged = {**current, **values}
    for spec in form.fields:
        if spec.total_of and spec.id not in refused and (spec.id in values or _any(spec, values)):
            problem = _total_problem(spec, merged)
            if problem is not None:
                refused[spec.id] = problem
    jumps = {}
    for field_id, value in values.items():
        spec = form.field(field_id)
        assert spec is not None
        question = _jump(spec, value, history.get(field_id, ()))
        if question is not None and current.get(field_id) != value:
            jumps[field_id] = question
    return Checked(values, refused, jumps)


def _one_value(spec: FormField, entry: Entry) -> tuple[str | None, float]:
    if isinstance(entry.value, bool) or not isinstance(entry.value, int | float):
        return "expected a finite number", 0.0
    try:
        value = float(entry.value)  # an integer beyond a float's range overflows here
    except OverflowError:
        return "expected a finite number", 0.0
    if entry.unit is not None:
        factor = spec.factor(entry.unit)
        if factor is None:
            return f"unit {entry.unit!r}: this field is reported in {spec.unit}", 0.0
        value = value * factor
    if not math.isfinite(value):
        return "expected a finite number", 0.0
    if spec.min is not None and value < spec.min:
        return f"{_number(value)} {spec.unit} is below the least allowed, {_number(spec.min)}", 0.0
    if spec.max is not None and value > spec.max:
        return f"{_number(value)} {spec.unit} is above the most allowed, {_number(spec.max)}", 0.0
    return None, float(value)


def _any(spec: FormField, values: Mapping[str, float]) -> bool:
    return any(part in values for part in spec.total_of)


def _total_problem(spec: FormField, merged: Mapping[str, float]) -> str | None:
    """The total and every part are known and the total is not their sum."""
    if spec.id not in merged or any(part not in merged for part in spec.total_of):
        return None
    parts = sum(merged[part] for part in spec.total_of)
    total = merged[spec.id]
    if abs(total - parts) <= TOTAL_TOLERANCE * max(abs(total), abs(parts)) + 1e-9:
        return None
    names = " + ".join(spec.total_of)
    return f"the total {_number(total)} is not {names} = {_number(parts)}"


def _jump(spec: FormField, value: float, history: Sequence[float]) -> Question | None:
    """A question when ``value`` is more than the field's ``jump`` share away from the median
    of its recent history (none without history or with a zero median)."""
    recent = list(history)[-HISTORY_PERIODS:]
    if not recent:
        return None
    reference = statistics.median(recent)
    if reference <= 0:
        return None
    if abs(value / reference - 1) <= spec.jump + JUMP_TOLERANCE:
        return None
    return Question(spec.id, value, reference)


def _number(value: float) -> str:
    return f"{value:.6g}"
