"""Evaluation in the service: assessments stored per material and indicator, on both databases."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from sqlalchemy import select

import rules
from tests.support.store import evaluate_store
from warning.catalog import load_catalog
from warning.context import open_context
from warning.evaluation.board import material_lines
from warning.evaluation.models import Assessment, EvaluationRun, IndicatorAssessment
from warning.evaluation.runs import latest_assessments, level_counts, load_observations
from warning.jobs.ingest import ingest_file
from warning.jobs.pipeline import evaluate_after_ingest
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


def panel() -> tuple[np.ndarray, np.ndarray]:
    """Copper doubles over its last year (a ramp on a random walk); zinc is the walk alone."""
    rng = np.random.default_rng(7)
    flat = 20000 * np.exp(np.cumsum(rng.normal(0, 0.004, DAYS)))
    surge = flat.copy()
    surge[-250:] *= np.linspace(1.0, 2.0, 250)
    return surge, flat


def change_pct(prices: np.ndarray, steps: int, *, last: int = 1) -> np.ndarray:
    """The change over ``steps`` trading days at each of the ``last`` days, in percent."""
    ends = prices[len(prices) - last :]
    starts = prices[len(prices) - last - steps : len(prices) - steps]
    return (ends / starts - 1) * 100


@pytest.fixture
def surge_and_calm(factory, write_csv):
    """Copper doubles over its last year; zinc stays flat; iron ore has no data at all."""
    surge, flat = panel()
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
    # Copper (default rules): up >= 15 % over 60 trading days (yellow) and >= 50 % over a year
    # (red) for more days than red's persistence of 3: two price rules agree, so red.
    surge, flat = panel()
    assert (change_pct(surge, 60, last=5) >= 15).all() and (change_pct(surge, 250) >= 50).all()
    assert by_material["copper"].level == rules.Level.RED
    assert by_material["copper"].direction == rules.Direction.UP
    assert (
        "copper" in by_material["copper"].reasons_en.lower()
        and "铜" in by_material["copper"].reasons_zh
    )
    # Zinc moves within +-15 % over 60 days and +-20 % over a year, and no daily rule has a
    # blue threshold: normal.
    assert abs(change_pct(flat, 60, last=60)).max() < 15 and abs(change_pct(flat, 250)) < 20
    assert by_material["zinc"].level == rules.Level.NORMAL
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
    assert "zinc_shfe_futures" in outcome.stale_series_ids
    assert by_material["zinc"].level == rules.Level.NO_DATA


def test_data_missing_for_three_trading_days_is_no_data_not_normal(surge_and_calm):
    """The feeds' staleness (three trading days missed) is handed to the rules, whose own age
    limit (14 days for daily series) would still read the series: no_data, never normal."""
    factory, catalog, ruleset = surge_and_calm, load_catalog(), rules.load_ruleset()
    monday = date(2024, 12, 30)  # Wednesday 25, Thursday 26 and Friday 27 December missed
    assert date(2024, 12, 24) == LAST_DAY  # a Tuesday

    outcome = evaluate_store(factory, catalog, ruleset, as_of=monday, trigger="test")

    by_material = {a.material: a for a in outcome.assessments}
    assert {"zinc_shfe_futures", "copper_shfe_futures"} <= outcome.stale_series_ids
    assert by_material["zinc"].level == rules.Level.NO_DATA
    assert by_material["copper"].level == rules.Level.NO_DATA
    with factory() as session:  # the rules alone, told of no stale series, still read zinc
        seen = load_observations(session, until=monday)
    alone = {a.material: a for a in rules.assess_latest(seen, ruleset, as_of=monday)}
    assert alone["zinc"].level == rules.Level.NORMAL


def test_the_board_shows_the_newest_assessment(surge_and_calm):
    factory, catalog = surge_and_calm, load_catalog()
    ruleset = rules.load_ruleset()
    evaluate_store(factory, catalog, ruleset, as_of=date(2024, 6, 28), trigger="test")
    evaluate_store(factory, catalog, ruleset, as_of=LAST_DAY, trigger="test")

    with factory() as session:
        newest = latest_assessments(session)
        earlier = latest_assessments(session, as_of=date(2024, 7, 1))
        lines = {line.material: line for line in material_lines(session, catalog=catalog)}

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


def test_the_stored_assessment_carries_its_basis(surge_and_calm):
    factory, catalog = surge_and_calm, load_catalog()
    outcome = evaluate_store(factory, catalog, rules.load_ruleset(), as_of=LAST_DAY, trigger="t")
    engine = {a.material: a.basis for a in outcome.assessments}
    with factory() as session:
        stored = {
            row.material_id: row
            for row in session.scalars(
                select(Assessment).where(Assessment.evaluation_run_id == outcome.run_id)
            )
        }
    copper = stored["copper"]
    assert copper.basis == str(engine["copper"].kind) and copper.basis != "no_data"
    assert copper.indicator_level == engine["copper"].indicator_level
    assert copper.level_since == engine["copper"].since
    assert stored["iron_ore"].basis == "no_data"
    assert copper.reasons_en.lower().startswith(str(copper.level))  # the first clause: the level


def test_evaluating_from_the_window_the_rules_need_gives_the_same_assessments(surge_and_calm):
    factory = surge_and_calm
    ruleset = rules.load_ruleset()
    since = min(rules.history_starts(ruleset, LAST_DAY).values())
    with factory() as session:
        everything = load_observations(session, until=LAST_DAY)
        window = load_observations(session, until=LAST_DAY, since=since)
    assert len(window) <= len(everything)  # (five years of stocks: here the whole panel)

    def assess(frame):
        return [
            (a.material, a.level, a.direction, a.reasons_en, a.basis)
            for a in rules.assess_latest(frame, ruleset, as_of=LAST_DAY)
        ]

    assert assess(window) == assess(everything)
