"""Reported figures summed per material: hand sums, coverage, like for like, confidentiality,
and the aggregates stored as an ordinary series."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from warning.catalog import load_catalog
from warning.catalog.models import Observation, Series
from warning.clock import FrozenClock, use_clock
from warning.context import ServiceContext
from warning.directory.models import Enterprise
from warning.feeding.models import FeedRun, FeedRunKind, FeedRunStatus
from warning.jobs.reporting import FEED, SOURCE, aggregate_if_changed, aggregate_reports
from warning.reporting.aggregation import AggregateStatus, aggregate_field
from warning.reporting.checks import Entry
from warning.reporting.forms import load_forms
from warning.reporting.models import Channel, Report
from warning.reporting.service import submit
from warning.settings import load_settings
from warning.store import make_engine, transaction

FORMS = load_forms(None, materials=load_catalog().material_ids)
FORM = FORMS.get("building_materials")
assert FORM is not None
OUTPUT = FORM.field("cement_output")
assert OUTPUT is not None


def aggregate(values: dict[str, dict[int, float]], min_coverage: float = 0.6):  # type: ignore[no-untyped-def]
    return aggregate_field(
        FORM,
        OUTPUT,
        values=values,
        capacities={},
        assigned=range(1, 100),
        min_coverage=min_coverage,
    )


def everyone(expected: int) -> dict[int, float]:
    """A period in which enterprises 1..expected reported (so all of them are expected)."""
    return {enterprise: 1.0 for enterprise in range(1, expected + 1)}


def test_the_aggregate_is_the_hand_sum_with_its_coverage() -> None:
    _october, november = aggregate(
        {"2026-10": everyone(5), "2026-11": {1: 10.5, 2: 20.25, 3: 30.0, 4: 1.0}}
    )
    assert november.total == 61.75  # 10.5 + 20.25 + 30 + 1, by hand
    assert (november.reporters, november.expected, november.coverage) == (4, 5, 0.8)
    assert november.status == AggregateStatus.OK
    assert november.series_id == "reported_cement_output"


def test_coverage_below_the_setting_is_no_data_and_at_it_counts() -> None:
    values = {1: 1.0, 2: 1.0, 3: 1.0}
    _first, at = aggregate({"2026-10": everyone(5), "2026-11": values})  # 3 of 5 = 0.6
    _first, below = aggregate({"2026-10": everyone(6), "2026-11": values})  # 3 of 6 = 0.5
    assert at.status == AggregateStatus.OK and at.total == 3.0
    assert at.level == pytest.approx(5.0)  # like for like: the three reported the same
    assert below.status == AggregateStatus.NO_DATA and below.level is None


def test_an_enterprise_is_expected_for_a_year_after_its_last_report() -> None:
    periods = {f"2025-{month:02d}": {1: 1.0, 2: 1.0, 3: 1.0} for month in range(1, 13)}
    periods["2025-01"] = {**periods["2025-01"], 4: 1.0, 5: 1.0}  # 4 and 5 stop after January
    periods["2026-01"] = periods["2026-02"] = {1: 1.0, 2: 1.0, 3: 1.0}
    found = {a.period: a for a in aggregate(periods)}
    assert found["2026-01"].expected == 5  # January 2025 is among the twelve periods before
    assert found["2026-02"].expected == 3  # no longer
    assert found["2026-02"].coverage == 1.0


def test_fewer_than_three_reporters_are_withheld_from_outside_the_desk() -> None:
    (two,) = aggregate({"2026-11": {1: 5.0, 2: 7.0}})
    (three,) = aggregate({"2026-11": {1: 5.0, 2: 7.0, 3: 1.0}})
    assert two.status == AggregateStatus.WITHHELD and not two.shown_outside_desk
    assert two.total == 12.0 and two.level is None  # the desk sees the sum; nothing stored
    assert three.status == AggregateStatus.OK and three.shown_outside_desk


def test_an_enterprise_joining_is_no_rise_like_for_like() -> None:
    october = {1: 100.0, 2: 100.0, 3: 100.0}
    november = {1: 110.0, 2: 110.0, 3: 110.0, 4: 500.0}  # 4 starts reporting, a big plant
    first, second = aggregate({"2026-10": october, "2026-11": november})
    assert second.total == 830.0  # the plain sum rises by 177 %
    assert second.common == 3 and second.change == pytest.approx(0.10)
    assert first.level == 300.0 and second.level == pytest.approx(330.0)  # 300 * 1.10


@pytest.mark.parametrize(("common", "linked"), [(2, False), (3, True)])
def test_a_like_for_like_link_needs_three_enterprises_in_common(common: int, linked: bool) -> None:
    # enterprises 1..5 report October; November: `common` of them, and two that join
    october = {e: 100.0 for e in range(1, 6)}
    november = {**{e: 110.0 for e in range(1, common + 1)}, 6: 50.0, 7: 70.0}
    _first, second = aggregate({"2026-10": october, "2026-11": november}, min_coverage=0.1)
    assert second.common == common
    if linked:
        assert second.status == AggregateStatus.OK and second.change == pytest.approx(0.10)
        assert second.level == pytest.approx(550.0)
    else:  # the change of two enterprises is theirs: not computed, nothing stored
        assert second.status == AggregateStatus.NO_DATA
        assert second.change is None and second.level is None


def test_outside_the_desk_an_aggregate_has_no_sum_and_no_change() -> None:
    october = {1: 100.0, 2: 100.0, 3: 100.0}
    november = {1: 110.0, 2: 110.0, 3: 110.0, 4: 77.0}  # 4 joins: 77 is its own figure
    _first, second = aggregate({"2026-10": october, "2026-11": november})
    shown = second.outside_desk()
    assert (shown.total, shown.common, shown.change) == (None, None, None)
    assert (shown.level, shown.reporters, shown.coverage) == (second.level, 4, 1.0)
    # the desk's copy keeps both; with both, 407 - 300 * (1 + 0.10) = 77 is enterprise 4's
    assert second.total == 407.0 and second.change == pytest.approx(0.10)


def test_a_period_below_coverage_is_skipped_by_the_chain() -> None:
    found = aggregate(
        {
            "2026-09": {1: 10.0, 2: 10.0, 3: 10.0},
            "2026-10": {1: 99.0},  # one of three: no data
            "2026-11": {1: 12.0, 2: 12.0, 3: 12.0},
        },
    )
    assert [a.status for a in found] == [
        AggregateStatus.OK,
        AggregateStatus.NO_DATA,
        AggregateStatus.OK,
    ]
    assert found[2].level == pytest.approx(36.0)  # linked to September: 30 * 1.2


def test_the_capacity_share_weighs_the_reporters() -> None:
    _october, november = aggregate_field(
        FORM,
        OUTPUT,
        values={"2026-10": {1: 1.0, 2: 1.0, 3: 1.0, 4: 1.0}, "2026-11": {1: 1.0, 2: 1.0, 3: 1.0}},
        capacities={"2026-09": {1: 100.0, 4: 300.0}, "2026-11": {2: 50.0, 3: 50.0}},
        assigned=[1, 2, 3, 4],
        min_coverage=0.5,
    )
    assert november.capacity_share == pytest.approx(200.0 / 500.0)


def test_stored_aggregates_are_an_ordinary_series(
    factory: sessionmaker[Session], database_url: str
) -> None:
    settings = load_settings(database_url=database_url, reporting_min_coverage=0.75)
    engine = make_engine(database_url)
    context = ServiceContext(settings, engine, factory, load_catalog())
    now = datetime(2026, 12, 7, 4, tzinfo=UTC)
    with use_clock(FrozenClock(now)), transaction(factory) as session:
        enterprises = []
        for number in range(4):
            enterprise = Enterprise(
                name=f"企业{number}",
                credit_code=f"CODE{number:014d}",
                sector="building_materials",
                created_at=now,
                updated_at=now,
            )
            session.add(enterprise)
            enterprises.append(enterprise)
        session.flush()
        outputs = {"2026-10": [10.0, 20.0, 30.0], "2026-11": [11.0, 22.0, 33.0, 40.0]}
        for period, values in outputs.items():
            for enterprise, value in zip(enterprises, values, strict=False):
                submit(
                    session,
                    forms=FORMS,
                    enterprise=enterprise,
                    form_id="building_materials",
                    period=period,
                    entries={"cement_output": Entry(value)},
                    actor="test",
                    channel=Channel.API,
                    today=date(2026, 12, 7),
                    now=now,
                )
    with use_clock(FrozenClock(now)) as frozen:
        assert isinstance(frozen, FrozenClock)
        frozen.advance(minutes=1)
        outcome = aggregate_reports(context, evaluate=False)
        frozen.advance(minutes=10)
        assert aggregate_if_changed(context) is None  # no report changed since
        with transaction(factory) as session:  # a report changes, and its aggregation fails
            report = session.scalars(select(Report)).first()
            assert report is not None
            report.updated_at = frozen.now()
            frozen.advance(minutes=1)
            session.add(
                FeedRun(
                    feed=FEED,
                    kind=FeedRunKind.FILE,
                    source=SOURCE,
                    started_at=frozen.now(),
                    finished_at=frozen.now(),
                    status=FeedRunStatus.FAILED,
                    error="the store went away",
                )
            )
        frozen.advance(minutes=5)
        assert aggregate_if_changed(context) is not None  # tried again on the next round
        frozen.advance(minutes=5)
        assert aggregate_if_changed(context) is None  # and then done
    assert outcome.stored.accepted == 2
    with factory() as session:
        series = session.get(Series, "reported_cement_output")
        assert series is not None
        assert (series.material_id, series.indicator, series.unit) == ("cement", "output", "10k t")
        stored = session.execute(
            select(Observation.period, Observation.value)
            .where(Observation.series_id == "reported_cement_output")
            .order_by(Observation.period)
        ).all()
        # October: 60 (the 3 that reported are those expected); November: 60 * 66 / 60
        assert [(p, v) for p, v in stored] == [
            (date(2026, 10, 1), 60.0),
            (date(2026, 11, 1), pytest.approx(66.0)),
        ]
        assert session.get(Series, "reported_flat_glass_output") is None  # nobody reported
    engine.dispose()
