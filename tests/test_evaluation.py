"""Evaluation in the service: assessments stored per material and indicator, on both databases."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from sqlalchemy import select

import rules
from warning.board import material_lines
from warning.catalog import load_catalog
from warning.context import open_context
from warning.evaluation import (
    evaluate_after_ingest,
    evaluate_store,
    latest_assessments,
    level_counts,
)
from warning.ingest import ingest_file
from warning.models import Assessment, EvaluationRun, IndicatorAssessment
from warning.settings import load_settings

START = date(2020, 1, 1)
DAYS = 1300
LAST_DAY = np.busday_offset(START, DAYS - 1, roll="forward").astype(date)  # 1300th weekday


def daily_rows(series_id: str, material: str, start: date, prices: np.ndarray) -> list[str]:
    rows, day = [], start
    for price in prices:
        while day.weekday() >= 5:
            day += timedelta(days=1)
        rows.append(f"{series_id},{material},price,D,{day.isoformat()},{price:.2f},CNY/t")
        day += timedelta(days=1)
    return rows


@pytest.fixture
def surge_and_calm(factory, write_csv):
    """Copper doubles over its last year; zinc stays flat; iron ore has no data at all."""
    rng = np.random.default_rng(7)
    flat = 20000 * np.exp(np.cumsum(rng.normal(0, 0.004, DAYS)))
    surge = flat.copy()
    surge[-250:] *= np.linspace(1.0, 2.0, 250)
    path = write_csv(
        "panel.csv",
        *daily_rows("copper_shfe_futures", "copper", START, surge),
        *daily_rows("zinc_shfe_futures", "zinc", START, flat),
    )
    report = ingest_file(factory, path, today=date(2026, 1, 1))
    assert report.rejected == 0
    return factory


def test_each_material_gets_an_assessment_with_reasons_and_the_ruleset_version(surge_and_calm):
    factory, catalog = surge_and_calm, load_catalog()
    ruleset = rules.load_ruleset()

    outcome = evaluate_store(factory, catalog, ruleset, as_of=LAST_DAY, trigger="test")

    by_material = {a.material: a for a in outcome.assessments}
    assert len(by_material) == 19
    assert by_material["copper"].level in {rules.Level.YELLOW, rules.Level.RED}
    assert by_material["copper"].direction == rules.Direction.UP
    copper = by_material["copper"]
    assert "copper" in copper.reasons_en.lower() and "铜" in copper.reasons_zh
    assert by_material["zinc"].level in {rules.Level.NORMAL, rules.Level.BLUE}
    assert by_material["iron_ore"].level == rules.Level.NO_DATA
    with factory() as session:
        run = session.scalars(select(EvaluationRun)).one()
        stored = session.scalars(select(Assessment).where(Assessment.material_id == "copper")).one()
        indicators = session.scalars(
            select(IndicatorAssessment).where(IndicatorAssessment.assessment_id == stored.id)
        ).all()
    assert run.ruleset_version == ruleset.version == stored.ruleset_version
    assert stored.level == str(by_material["copper"].level)
    assert indicators and all(i.reason_en and i.reason_zh for i in indicators)


def test_stale_data_is_no_data_not_normal(surge_and_calm):
    factory, catalog = surge_and_calm, load_catalog()

    outcome = evaluate_store(
        factory, catalog, rules.load_ruleset(), as_of=date(2025, 12, 31), trigger="test"
    )

    by_material = {a.material: a for a in outcome.assessments}
    assert "zinc_shfe_futures" in outcome.stale_series
    assert by_material["zinc"].level == rules.Level.NO_DATA


def test_the_board_shows_the_newest_assessment(surge_and_calm):
    factory, catalog = surge_and_calm, load_catalog()
    ruleset = rules.load_ruleset()
    evaluate_store(factory, catalog, ruleset, as_of=date(2024, 6, 28), trigger="test")
    evaluate_store(factory, catalog, ruleset, as_of=LAST_DAY, trigger="test")

    with factory() as session:
        newest = latest_assessments(session)
        earlier = latest_assessments(session, as_of=date(2024, 7, 1))
        lines = {line.material: line for line in material_lines(session, catalog)}

    assert newest["copper"].as_of == LAST_DAY
    assert earlier["copper"].as_of == date(2024, 6, 28)
    assert lines["copper"].level == newest["copper"].level
    assert lines["copper"].reason and "copper" in lines["copper"].reason.lower()


def test_an_ingest_that_stored_values_is_followed_by_an_evaluation(surge_and_calm, database_url):
    settings = load_settings(database_url=database_url, as_of=LAST_DAY)
    context = open_context(settings)

    ruleset = rules.load_ruleset()
    nothing = evaluate_after_ingest(context, ruleset=ruleset, changed=False, trigger="ingest")
    outcome = evaluate_after_ingest(context, ruleset=ruleset, changed=True, trigger="ingest")

    assert nothing is None
    assert outcome is not None and outcome.as_of == LAST_DAY
    with context.factory() as session:
        runs = session.scalars(select(EvaluationRun)).all()
    assert [(run.trigger, run.as_of) for run in runs] == [("ingest", LAST_DAY)]
    assert "no_data" in level_counts(outcome)


def test_a_replay_of_an_earlier_date_does_not_become_the_current_level(surge_and_calm):
    factory, catalog = surge_and_calm, load_catalog()
    ruleset = rules.load_ruleset()
    evaluate_store(factory, catalog, ruleset, as_of=LAST_DAY, trigger="daily")
    evaluate_store(factory, catalog, ruleset, as_of=date(2022, 6, 30), trigger="replay")

    with factory() as session:
        current = latest_assessments(session)
        replayed = latest_assessments(session, as_of=date(2022, 6, 30))

    assert current["copper"].as_of == LAST_DAY
    assert replayed["copper"].as_of == date(2022, 6, 30)
