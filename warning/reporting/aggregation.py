"""The reported figures summed per material and period, with their coverage.

For each aggregated field of a form (the measures with ``aggregate``: output, stocks) and each
period: the sum over the enterprises that reported a usable value (not a jump awaiting
confirmation), how many of the expected enterprises that is and their share of the expected
enterprises' capacity (each enterprise's
latest reported capacity of the material up to that period). The expected enterprises of a
field are those that report its form (the form's sectors, on the whitelist) and have reported
that field in the period or in one of the :data:`EXPECTED_WINDOW` periods before it: an
enterprise reports the materials it makes, not every material of its sector.

Like for like: the stored level is chain-linked. The first period that counts starts at its
sum; each later one is the level before times the change over the enterprises that reported
in both periods, so an enterprise that starts or stops reporting never reads as a rise or a
fall; a period sharing fewer than :data:`MIN_REPORTERS` enterprises with the one before it
is ``no_data`` (the change of one or two enterprises is their own growth). A period counts
when its coverage reaches the setting and at least :data:`MIN_REPORTERS` enterprises
reported; otherwise it is ``no_data`` and no value is stored (missing data is never a glut).
Fewer than :data:`MIN_REPORTERS` reporters is ``withheld``: only the desk sees it, as one
enterprise's figure could be read back from it.

**Outside the desk** only the chain-linked level, the counts and the coverage are shown
(:meth:`Aggregate.outside_desk`): the sum and the like-for-like change together would give
away the figure of an enterprise that joined or left (this period's sum less the last one's
grown by the change), so neither is shown there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from warning.directory.models import Enterprise
from warning.reporting.forms import Form, FormField, Forms, period_start
from warning.reporting.models import Report
from warning.reporting.service import current_values

MIN_REPORTERS: Final = 3
EXPECTED_WINDOW: Final = 12  # earlier periods in which a report makes an enterprise expected
SERIES_PREFIX: Final = "reported_"


class AggregateStatus(StrEnum):
    OK = "ok"  # counts: stored as a series value
    NO_DATA = "no_data"  # coverage below the setting
    WITHHELD = "withheld"  # fewer than MIN_REPORTERS reporters: the desk's only


@dataclass(frozen=True)
class Aggregate:
    """One field's aggregate for one period."""

    form: str
    field: str
    material: str
    indicator: str
    unit: str
    period: str
    total: float | None  # None only outside the desk
    reporters: int
    expected: int
    coverage: float
    capacity_share: float | None
    common: int | None  # enterprises that reported this period and the one it is linked to
    change: float | None  # like-for-like change from the period it is linked to
    level: float | None  # the chain-linked value stored (None unless ok)
    status: AggregateStatus

    @property
    def series_id(self) -> str:
        return series_id_of(self.field)

    @property
    def shown_outside_desk(self) -> bool:
        return self.reporters >= MIN_REPORTERS

    def outside_desk(self) -> Aggregate:
        """What may be shown outside the desk (module docstring): no sum, no change."""
        return replace(self, total=None, common=None, change=None)


def series_id_of(field: str) -> str:
    """The supply series a field's aggregate is stored in, e.g. ``reported_cement_output``."""
    return SERIES_PREFIX + field


Values = Mapping[str, Mapping[int, float]]  # period -> enterprise id -> value


def aggregate_field(
    form: Form,
    field: FormField,
    *,
    values: Values,
    capacities: Values,
    assigned: Iterable[int],
    min_coverage: float,
) -> list[Aggregate]:
    """The aggregates of ``field`` for every period in ``values``, oldest first, among the
    ``assigned`` enterprises (those reporting the form) (plain data: the caller reads the
    reports)."""
    assigned_ids = frozenset(assigned)
    found = []
    linked: tuple[str, Mapping[int, float], float] | None = None  # period, values, level
    periods = sorted(values, key=period_start)
    for index, period in enumerate(periods):
        window = periods[max(0, index - EXPECTED_WINDOW) : index + 1]
        expected_ids = frozenset(e for p in window for e in values[p] if e in assigned_ids)
        reported = {e: v for e, v in values[period].items() if e in assigned_ids}
        reporters = len(reported)
        coverage = reporters / len(expected_ids) if expected_ids else 0.0
        total = sum(reported.values())
        status = AggregateStatus.OK
        if reporters < MIN_REPORTERS:
            status = AggregateStatus.WITHHELD
        if coverage < min_coverage:
            status = AggregateStatus.NO_DATA
        change, common, level = None, 0, None
        if linked is not None:
            _, before, before_level = linked
            shared = reported.keys() & before.keys()
            common = len(shared)
            base = sum(before[e] for e in shared)
            if common >= MIN_REPORTERS and base > 0:  # fewer: one enterprise's own growth
                change = sum(reported[e] for e in shared) / base - 1
            if status == AggregateStatus.OK and change is None:
                status = AggregateStatus.NO_DATA  # no enterprise to compare like for like
            if status == AggregateStatus.OK:
                assert change is not None
                level = before_level * (1 + change)
        elif status == AggregateStatus.OK:
            level = total
        if level is not None:
            linked = (period, reported, level)
        found.append(
            Aggregate(
                form=form.id,
                field=field.id,
                material=field.material,
                indicator=str(field.aggregate),
                unit=field.unit,
                period=period,
                total=total,
                reporters=reporters,
                expected=len(expected_ids),
                coverage=coverage,
                capacity_share=_capacity_share(capacities, period, reported, expected_ids),
                common=common,
                change=change,
                level=level,
                status=status,
            )
        )
    return found


def _capacity_share(
    capacities: Values, period: str, reported: Mapping[int, float], expected: frozenset[int]
) -> float | None:
    """The reporters' share of the expected enterprises' latest capacity up to ``period``."""
    latest: dict[int, float] = {}
    for earlier in sorted(capacities, key=period_start):
        if period_start(earlier) > period_start(period):
            break
        latest.update({e: v for e, v in capacities[earlier].items() if e in expected})
    whole = sum(latest.values())
    if whole <= 0:
        return None
    return sum(latest.get(e, 0.0) for e in reported) / whole


def aggregates(session: Session, *, forms: Forms, min_coverage: float) -> list[Aggregate]:
    """Every aggregated field's aggregates, by form, field and period."""
    found: list[Aggregate] = []
    for form in forms.forms:
        fields = [f for f in form.fields if f.aggregate is not None]
        if not fields:
            continue
        assigned = session.scalars(
            select(Enterprise.id).where(
                Enterprise.sector.in_(form.sectors), Enterprise.whitelist.is_(True)
            )
        ).all()
        by_field = _usable_values(session, form=form)
        for field in fields:
            capacity = next(
                (f for f in form.fields if f.capacity and f.material == field.material), None
            )
            found.extend(
                aggregate_field(
                    form,
                    field,
                    values=by_field.get(field.id, {}),
                    capacities=by_field.get(capacity.id, {}) if capacity else {},
                    assigned=assigned,
                    min_coverage=min_coverage,
                )
            )
    return found


def _usable_values(session: Session, *, form: Form) -> dict[str, dict[str, dict[int, float]]]:
    """field -> period -> enterprise -> its current usable value, for ``form``."""
    found: dict[str, dict[str, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    reports = session.scalars(
        select(Report).where(Report.form == form.id).options(selectinload(Report.values))
    )
    for report in reports:
        for field, row in current_values(report).items():
            if row.usable:
                found[field][report.period][report.enterprise_id] = row.value
    return found
