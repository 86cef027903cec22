"""The reporting forms (调度表): which figures each sector's enterprises report, in which unit,
how often and by when; loaded from YAML (``warning/data/reporting.yaml`` or
``WARNING_REPORTING_PATH``) and checked against the catalog's materials.

A form's fields are its materials times the file's measures: ``steel_output`` is the measure
``output`` of ``steel``. Periods are text: ``2026-11`` (monthly) or ``2026-W47`` (ISO week);
the open period of a form is the last one that has ended, due on the form's due day.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Final

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from vocabulary import Frequency, IndicatorKind
from warning.errors import Invalid

IDENTIFIER: Final = re.compile(r"^[a-z][a-z0-9_]*$")
MONTH: Final = re.compile(r"^(\d{4})-(\d{2})$")
WEEK: Final = re.compile(r"^(\d{4})-W(\d{2})$")
REPORTED_FREQUENCIES: Final = (Frequency.MONTHLY, Frequency.WEEKLY)
YEARS: Final = range(1990, 2200)  # the years a period or a reporting day may fall in

# other units a value may be sent in, with the factor to the stored unit
UNIT_ALIASES: Final[dict[str, dict[str, float]]] = {
    "10k t": {"万吨": 1.0, "kt": 0.1, "千吨": 0.1, "t": 1e-4, "吨": 1e-4},
    "10k t/yr": {"万吨/年": 1.0, "kt/yr": 0.1, "千吨/年": 0.1, "t/yr": 1e-4, "吨/年": 1e-4},
    "10k weight-cases": {"万重量箱": 1.0, "weight-cases": 1e-4, "重量箱": 1e-4},
    "10k weight-cases/yr": {"万重量箱/年": 1.0},
    "%": {"％": 1.0},
}
BASE_UNIT: Final = "10k t"


class ReportingConfigError(Invalid):
    """The forms file is missing or invalid; the message names the file and the entry."""


class MeasureEntry(BaseModel):
    """One figure asked for each material of a form."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(max_length=32, pattern=IDENTIFIER.pattern)
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    unit: str = Field(min_length=1, max_length=32)
    min: float | None = None
    max: float  # required: one enterprise's largest plausible figure (no sum can overflow)
    total_of: tuple[str, ...] = ()
    aggregate: IndicatorKind | None = None
    capacity: bool = False
    jump: float = Field(default=0.5, gt=0)


class FormEntry(BaseModel):
    """One sector's form as the file declares it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(max_length=32, pattern=IDENTIFIER.pattern)
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    sectors: tuple[str, ...] = Field(min_length=1)
    frequency: Frequency
    due_day: int = Field(ge=1, le=28)
    materials: tuple[str, ...] = Field(min_length=1)
    units: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_frequency(self) -> FormEntry:
        if self.frequency not in REPORTED_FREQUENCIES:
            raise ValueError("frequency: expected M or W")
        if self.frequency == Frequency.WEEKLY and self.due_day > 7:
            raise ValueError("due_day: a weekly form is due on a weekday, 1 (Monday) to 7")
        return self


class FormsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1, le=1)
    measures: tuple[MeasureEntry, ...] = Field(min_length=1)
    forms: tuple[FormEntry, ...] = Field(min_length=1)


@dataclass(frozen=True)
class FormField:
    """One figure of a form: a measure of a material, with its unit and checks."""

    id: str
    material: str
    measure: str
    name_zh: str
    name_en: str
    unit: str
    min: float | None
    max: float | None
    total_of: tuple[str, ...]
    aggregate: IndicatorKind | None
    capacity: bool
    jump: float
    material_zh: str = ""
    material_en: str = ""

    @property
    def label_zh(self) -> str:
        """The field in Chinese: the material's name and the measure's (铜 产量)."""
        return f"{self.material_zh or self.material} {self.name_zh}"

    @property
    def label_en(self) -> str:
        return f"{self.material_en or self.material}: {self.name_en}"

    def factor(self, unit: str) -> float | None:
        """The factor turning a value in ``unit`` into this field's unit; None if unknown."""
        if unit == self.unit:
            return 1.0
        return UNIT_ALIASES.get(self.unit, {}).get(unit)


@dataclass(frozen=True)
class Form:
    """A sector's form: its fields in order, frequency and due day."""

    id: str
    name_zh: str
    name_en: str
    sectors: tuple[str, ...]
    frequency: Frequency
    due_day: int
    materials: tuple[str, ...]
    fields: tuple[FormField, ...]

    def field(self, field_id: str) -> FormField | None:
        return next((f for f in self.fields if f.id == field_id), None)

    def open_period(self, today: date) -> str:
        """The last period that has ended by ``today``: the one being reported now;
        :class:`Invalid` for a day outside :data:`YEARS`."""
        check_day(today)
        if self.frequency == Frequency.MONTHLY:
            last_month = today.replace(day=1) - timedelta(days=1)
            return f"{last_month:%Y-%m}"
        year, week, _ = (today - timedelta(days=7)).isocalendar()
        return f"{year}-W{week:02d}"

    def due_date(self, period: str) -> date:
        """The day ``period`` is due: the due day of the month (or week) after it."""
        return period_end(period) + timedelta(days=self.due_day)

    def previous(self, period: str) -> str:
        """The period before ``period``."""
        start = period_start(period)
        if self.frequency == Frequency.MONTHLY:
            return f"{start - timedelta(days=1):%Y-%m}"
        year, week, _ = (start - timedelta(days=7)).isocalendar()
        return f"{year}-W{week:02d}"

    def writes_periods_as(self, period: str) -> bool:
        """Whether ``period`` is written as this form's periods are (a month or a week)."""
        pattern = MONTH if self.frequency == Frequency.MONTHLY else WEEK
        return pattern.match(period) is not None

    def check_period(self, period: str) -> None:
        """:class:`Invalid` unless ``period`` is written as this form's periods are."""
        example = "2026-11" if self.frequency == Frequency.MONTHLY else "2026-W47"
        if not self.writes_periods_as(period):
            raise Invalid(f"period {period!r}: form {self.id} is reported as e.g. {example}")
        period_start(period)


@dataclass(frozen=True)
class Forms:
    """Every form, by id; which one a sector reports."""

    path: str
    forms: tuple[Form, ...]

    def get(self, form_id: str) -> Form | None:
        return next((f for f in self.forms if f.id == form_id), None)

    def for_sector(self, sector: str) -> tuple[Form, ...]:
        return tuple(f for f in self.forms if sector in f.sectors)

    def aggregated_fields(self) -> Iterable[tuple[Form, FormField]]:
        for form in self.forms:
            for entry in form.fields:
                if entry.aggregate is not None:
                    yield form, entry


def check_day(day: date) -> None:
    """:class:`Invalid` unless ``day`` falls in :data:`YEARS` (a period's due day, or the one
    after it, must be a date too)."""
    if day.year not in YEARS:
        raise Invalid(f"date {day}: reporting covers the years {YEARS[0]} to {YEARS[-1]}")


def period_start(period: str) -> date:
    """The first day of a period (``2026-11`` or ``2026-W47``); :class:`Invalid` if malformed
    or outside :data:`YEARS`."""
    try:
        if month := MONTH.match(period):
            start = date(int(month[1]), int(month[2]), 1)
        elif week := WEEK.match(period):
            start = date.fromisocalendar(int(week[1]), int(week[2]), 1)
        else:
            start = None
    except ValueError:
        start = None
    if start is None:
        raise Invalid(f"period {period!r}: expected e.g. 2026-11 or 2026-W47")
    if start.year not in YEARS:
        raise Invalid(f"period {period!r}: reporting covers the years {YEARS[0]} to {YEARS[-1]}")
    return start


def period_end(period: str) -> date:
    """The last day of a period."""
    start = period_start(period)
    if MONTH.match(period):
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return start + timedelta(days=6)


MaterialNames = tuple[tuple[str, str, str], ...]  # (id, Chinese name, English name)


@cache
def configured_forms(path: Path | None, materials: MaterialNames) -> Forms:
    """:func:`load_forms`, read once per process for a path and catalog."""
    return load_forms(path, materials=[m[0] for m in materials], names=materials)


def load_forms(path: Path | None, *, materials: Iterable[str], names: MaterialNames = ()) -> Forms:
    """The forms file (the bundled one when ``path`` is None), checked against the catalog's
    ``materials`` (``names``: their names, for labels); :class:`ReportingConfigError` naming
    the file and entry otherwise."""
    source = path or Path(str(files("warning") / "data" / "reporting.yaml"))
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
        parsed = FormsFile.model_validate(raw)
    except OSError as error:
        raise ReportingConfigError(f"{source}: cannot read ({error.strerror})") from None
    except yaml.YAMLError as error:
        raise ReportingConfigError(f"{source}: not YAML ({error})") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ReportingConfigError(f"{source}: {where}: {first['msg']}") from None
    labels = {m[0]: (m[1], m[2]) for m in names}
    return Forms(str(source), _forms(str(source), parsed, frozenset(materials), labels))


def _forms(
    source: str,
    parsed: FormsFile,
    materials: frozenset[str],
    labels: dict[str, tuple[str, str]],
) -> tuple[Form, ...]:
    measure_ids = {m.id for m in parsed.measures}
    for measure in parsed.measures:
        missing = [part for part in measure.total_of if part not in measure_ids]
        if missing:
            raise ReportingConfigError(
                f"{source}: measure {measure.id}: total_of names no measure {missing[0]!r}"
            )
    seen: set[str] = set()
    forms = []
    for entry in parsed.forms:
        if entry.id in seen:
            raise ReportingConfigError(f"{source}: form {entry.id}: declared twice")
        seen.add(entry.id)
        for material in (*entry.materials, *entry.units):
            if material not in materials or material not in entry.materials:
                raise ReportingConfigError(
                    f"{source}: form {entry.id}: {material!r} is not one of its catalog materials"
                )
        forms.append(
            Form(
                id=entry.id,
                name_zh=entry.name_zh,
                name_en=entry.name_en,
                sectors=entry.sectors,
                frequency=entry.frequency,
                due_day=entry.due_day,
                materials=entry.materials,
                fields=tuple(
                    _field(material, measure, entry.units.get(material), labels.get(material))
                    for material in entry.materials
                    for measure in parsed.measures
                ),
            )
        )
    return tuple(forms)


def _field(
    material: str,
    measure: MeasureEntry,
    own_unit: str | None,
    label: tuple[str, str] | None,
) -> FormField:
    unit = measure.unit
    if own_unit is not None and unit.startswith(BASE_UNIT):
        unit = own_unit + unit.removeprefix(BASE_UNIT)
    return FormField(
        id=f"{material}_{measure.id}",
        material=material,
        measure=measure.id,
        name_zh=measure.name_zh,
        name_en=measure.name_en,
        unit=unit,
        min=measure.min,
        max=measure.max,
        total_of=tuple(f"{material}_{part}" for part in measure.total_of),
        aggregate=measure.aggregate,
        capacity=measure.capacity,
        jump=measure.jump,
        material_zh=label[0] if label else "",
        material_en=label[1] if label else "",
    )
