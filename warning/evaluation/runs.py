"""Evaluation runs: the rule engine applied to the store, with every assessment kept.

:func:`evaluate` loads the observations known on a date, marks stale series as missing, asks
the rule engine for each material's level and stores the assessments (per material and per
indicator, with their reasons) under one evaluation run recording the rule-set version, in
the caller's session. Every ingest is followed by derivation, then evaluation
(``warning.jobs.pipeline``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

import rules
from vocabulary import Direction, Level
from warning import clock
from warning.catalog import Catalog
from warning.catalog.models import Material
from warning.catalog.observations import last_before, observation_frame
from warning.evaluation.models import Assessment, EvaluationRun, IndicatorAssessment
from warning.feeding.staleness import stale_series_ids


@dataclass(frozen=True)
class EvaluationOutcome:
    """What one evaluation run produced."""

    run_id: int
    as_of: date
    ruleset_version: str
    assessments: tuple[rules.Assessment, ...]
    stale_series_ids: frozenset[str]  # series the feeds call stale, assessed as missing


def load_ruleset(path: Path | None, catalog: Catalog) -> rules.RuleSet:
    """The configured rule set (the bundled default when ``path`` is None), whose material
    overrides must all name catalog materials (:class:`rules.RuleSetError` otherwise)."""
    ruleset = rules.load_ruleset(path)
    rules.check_materials(ruleset, catalog.material_ids)
    return ruleset


def load_observations(session: Session, *, until: date, since: date | None = None) -> pd.DataFrame:
    """What evaluation sees: the non-suspect observations up to ``until`` (from ``since``,
    plus each older series' last value, which says since when it has had no data)."""
    window = observation_frame(session, until=until, since=since)
    if since is None:
        return window
    older = last_before(session, before=since)
    older = older[~older["series_id"].isin(set(window["series_id"]))]
    return pd.concat([older, window], ignore_index=True) if len(older) else window


def evaluate(
    session: Session,
    *,
    catalog: Catalog,
    ruleset: rules.RuleSet,
    as_of: date,
    trigger: str,
) -> EvaluationOutcome:
    """Assess every catalog material as of ``as_of``; add the run and its assessments."""
    started = clock.now()
    since = min(rules.history_starts(ruleset, as_of).values())  # what the rules look back to
    observations = load_observations(session, until=as_of, since=since)
    stale = stale_series_ids(session, as_of=as_of)
    observations = observations[observations["material"].isin(catalog.material_ids)]
    assessed = {
        a.material: a
        for a in rules.assess_latest(
            observations, ruleset, as_of=as_of, stale_ids=stale, names=catalog.names()
        )
    }
    ordered = tuple(
        assessed.get(material.id) or _no_data(material.id, as_of, ruleset.version)
        for material in catalog.materials
    )
    run = EvaluationRun(
        as_of=as_of, ruleset_version=ruleset.version, started_at=started, trigger=trigger
    )
    session.add(run)
    session.add_all(_assessment_row(run, item) for item in ordered)
    run.finished_at = clock.now()
    session.flush()
    return EvaluationOutcome(run.id, as_of, ruleset.version, ordered, stale)


def level_counts(outcome: EvaluationOutcome) -> str:
    """A one-line summary such as ``2 red, 3 yellow, 1 blue, 10 normal, 3 no_data``."""
    counts = {level: 0 for level in reversed(Level)}  # red first, no_data last
    for assessment in outcome.assessments:
        counts[Level(assessment.level)] += 1
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
        basis=str(item.basis.kind),
        indicator_level=Level(item.basis.indicator_level),
        indicator_direction=Direction(item.basis.indicator_direction),
        level_since=item.basis.since,
        last_confirmed=item.basis.last_confirmed,
        earliest_change=item.basis.earliest_change,
        basis_detail=json.dumps(_basis_detail(item.basis), sort_keys=True),
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
                role=ind.role,
            )
            for ind in item.indicators
        ],
    )


def _basis_detail(basis: rules.LevelBasis) -> dict[str, object]:
    """The basis fields without a column of their own, for the JSON column."""
    detail = {
        "target_level": str(basis.target_level),
        "target_direction": str(basis.target_direction),
        "count": basis.count,
        "needed": basis.needed,
        "veto_rule": basis.veto_rule,
        "veto_value": basis.veto_value,
        "veto_threshold": basis.veto_threshold,
        "supply_backing": basis.supply_backing,
    }
    return {key: value for key, value in detail.items() if value is not None}


def latest_assessments(session: Session, *, as_of: date | None = None) -> dict[str, Assessment]:
    """Each material's current assessment: the one for the latest date (on or before ``as_of``
    when given), and of those the newest run. A replay of an earlier date never becomes
    current.

    One index probe per material (``ix_assessment_material_as_of``), however long the
    history: the board and the API read this on every change."""
    newest = aliased(Assessment)
    probe = select(newest.id).where(newest.material_id == Material.id)
    if as_of is not None:
        probe = probe.where(newest.as_of <= as_of)
    newest_id = (
        probe.order_by(newest.as_of.desc(), newest.id.desc())
        .limit(1)
        .correlate(Material)
        .scalar_subquery()
    )
    rows = session.scalars(
        select(Assessment).where(Assessment.id.in_(select(newest_id).select_from(Material)))
    )
    return {row.material_id: row for row in rows}
