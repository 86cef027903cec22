"""Evaluation runs: the rule engine applied to the store, with every assessment kept.

The service loads the observations known on a date, marks stale series as missing, asks the
rule engine for each material's level and stores the assessments (per material and per
indicator, with their reasons) under one evaluation run recording the rule-set version.
Every ingest is followed by :func:`derive_and_evaluate`: derived series first, then evaluation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

import rules
from warning.catalog import Catalog
from warning.clock import evaluation_date, utc_now
from warning.context import ServiceContext
from warning.derived import DerivationOutcome, derive_after_ingest
from warning.feed_status import stale_series_ids
from warning.ingest import PeriodSpan
from warning.models import Assessment, EvaluationRun, IndicatorAssessment
from warning.observations import observation_frame


@dataclass(frozen=True)
class EvaluationOutcome:
    """What one evaluation run produced."""

    run_id: int
    as_of: date
    ruleset_version: str
    assessments: tuple[rules.Assessment, ...]
    stale_series: frozenset[str]


def load_ruleset(path: Path | None, catalog: Catalog) -> rules.RuleSet:
    """The configured rule set (the bundled default when ``path`` is None), whose material
    overrides must all name catalog materials (:class:`rules.RuleSetError` otherwise)."""
    ruleset = rules.load_ruleset(path)
    rules.check_materials(ruleset, catalog.material_ids)
    return ruleset


def load_observations(session: Session, *, until: date) -> pd.DataFrame:
    """What evaluation sees: every non-suspect observation up to ``until``, long format."""
    return observation_frame(session, until=until)


def evaluate_store(
    factory: sessionmaker[Session],
    catalog: Catalog,
    ruleset: rules.RuleSet,
    *,
    as_of: date,
    trigger: str,
) -> EvaluationOutcome:
    """Assess every catalog material as of ``as_of`` and store the run and its assessments."""
    started = utc_now()
    with factory() as session:
        observations = load_observations(session, until=as_of)
        stale = stale_series_ids(session, as_of=as_of)
    observations = observations[observations["material"].isin(catalog.material_ids)]
    assessed = {
        a.material: a
        for a in rules.assess_latest(
            observations, ruleset, as_of=as_of, stale_series=stale, names=catalog.names()
        )
    }
    ordered = tuple(
        assessed.get(material.id) or _no_data(material.id, as_of, ruleset.version)
        for material in catalog.materials
    )
    with factory() as session, session.begin():
        run = EvaluationRun(
            as_of=as_of, ruleset_version=ruleset.version, started_at=started, trigger=trigger
        )
        session.add(run)
        session.add_all(_assessment_row(run, item) for item in ordered)
        run.finished_at = utc_now()
        session.flush()
        run_id = run.id
    return EvaluationOutcome(run_id, as_of, ruleset.version, ordered, stale)


def evaluate_after_ingest(
    context: ServiceContext, *, ruleset: rules.RuleSet, changed: bool, trigger: str
) -> EvaluationOutcome | None:
    """Re-evaluate every material if an ingest (or a derivation) ``changed`` stored values.

    Evaluation follows every ingest (the CLI, scheduled feeds, files); an ingest that changed
    nothing leaves the last assessments standing. Evaluates as of ``WARNING_AS_OF`` or today.
    Callers load ``ruleset`` before ingesting, so a bad rule set fails before data is stored.
    """
    if not changed:
        return None
    return evaluate_store(
        context.factory,
        context.catalog,
        ruleset,
        as_of=evaluation_date(context.settings),
        trigger=trigger,
    )


@dataclass(frozen=True)
class IngestFollowUp:
    """What followed an ingest: the derived series computed, and the evaluation if any."""

    derivation: DerivationOutcome
    evaluation: EvaluationOutcome | None


def derive_and_evaluate(
    context: ServiceContext,
    *,
    ruleset: rules.RuleSet,
    stored: Sequence[PeriodSpan],
    trigger: str,
) -> IngestFollowUp:
    """Derive the series computed from what an ingest ``stored``, then re-evaluate.

    Every ingest (the CLI, scheduled feeds, files) ends here. Derivation comes first so that
    evaluation sees the derived values; a failed derivation is in the outcome (and logged) and
    evaluation still runs: a derived series whose derivation failed counts as stale, so it
    reaches the rules as missing data rather than as an outdated value.
    """
    derivation = derive_after_ingest(context.factory, stored)
    changed = bool(stored) or derivation.changed > 0
    evaluation = evaluate_after_ingest(context, ruleset=ruleset, changed=changed, trigger=trigger)
    return IngestFollowUp(derivation, evaluation)


def level_counts(outcome: EvaluationOutcome) -> str:
    """A one-line summary such as ``2 red, 3 yellow, 1 blue, 10 normal, 3 no_data``."""
    counts = {level: 0 for level in ("red", "yellow", "blue", "normal", "no_data")}
    for assessment in outcome.assessments:
        counts[str(assessment.level)] += 1
    return ", ".join(f"{n} {level}" for level, n in counts.items() if n)


def _no_data(material: str, as_of: date, version: str) -> rules.Assessment:
    return rules.Assessment(
        material=material,
        as_of=as_of,
        period=None,
        level=rules.Level.NO_DATA,
        direction=rules.Direction.NONE,
        score=None,
        reasons_zh="没有数据",
        reasons_en="no data stored for this material",
        ruleset_version=version,
        indicators=(),
    )


def _assessment_row(run: EvaluationRun, item: rules.Assessment) -> Assessment:
    return Assessment(
        run=run,
        material_id=item.material,
        as_of=item.as_of,
        period=item.period,
        level=str(item.level),
        direction=str(item.direction),
        score=item.score,
        reasons_zh=item.reasons_zh,
        reasons_en=item.reasons_en,
        ruleset_version=item.ruleset_version,
        indicators=[
            IndicatorAssessment(
                indicator=ind.indicator,
                detector=ind.detector,
                series_id=ind.series_id,
                value=ind.value,
                thresholds=ind.thresholds,
                level=str(ind.level),
                direction=str(ind.direction),
                score=ind.score,
                reason_zh=ind.reason_zh,
                reason_en=ind.reason_en,
            )
            for ind in item.indicators
        ],
    )


def latest_assessments(session: Session, *, as_of: date | None = None) -> dict[str, Assessment]:
    """Each material's current assessment: the one for the latest date (on or before ``as_of``
    when given), and of those the newest run. A replay of an earlier date never becomes
    current."""
    newest_first = func.row_number().over(
        partition_by=Assessment.material_id,
        order_by=(Assessment.as_of.desc(), Assessment.id.desc()),
    )
    ranked = select(Assessment.id, newest_first.label("rank"))
    if as_of is not None:
        ranked = ranked.where(Assessment.as_of <= as_of)
    current = ranked.subquery()
    rows = session.scalars(
        select(Assessment).join(current, current.c.id == Assessment.id).where(current.c.rank == 1)
    )
    return {row.material_id: row for row in rows}
