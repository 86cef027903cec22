"""A material's level over time: the rule set replayed on the stored data, step by step.

The rules are causal (each step sees only data up to it), so the replay gives for every past
step the level an evaluation on that day would have given with the data stored now. The pages
draw it as the level bands behind a series and as the coloured timeline under the price chart;
the stored assessments stay the record of what the service said and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy.orm import Session

import rules
from rules.engine import WARMUP_DAYS
from rules.paths import lookback_days
from warning.catalog.observations import observation_frame


@dataclass(frozen=True)
class LevelSpan:
    """Consecutive steps at one level and direction: from ``first`` until ``until`` (the next
    span's first step, or the last step of the replay)."""

    first: date
    until: date
    level: str
    direction: str


@dataclass(frozen=True)
class LevelHistory:
    """The replayed levels of one material, and its indicators' values at each step."""

    material_id: str
    ruleset_version: str
    spans: tuple[LevelSpan, ...]
    indicators: pd.DataFrame  # columns: period, indicator, series_id, value

    def indicator_values(self, indicator: str, series_id: str) -> list[tuple[date, float]]:
        """The values of one indicator on one series, by step (missing steps left out)."""
        return self._by_indicator().get((indicator, series_id), [])

    def _by_indicator(self) -> dict[tuple[str, str], list[tuple[date, float]]]:
        """Every indicator's values, grouped once (a history is kept and read many times)."""
        grouped = self.__dict__.get("_grouped")
        if grouped is None:
            grouped = {}
            rows = self.indicators.dropna(subset=["value"])
            for (indicator, series_id), group in rows.groupby(["indicator", "series_id"]):
                grouped[(str(indicator), str(series_id))] = [
                    (pd.Timestamp(period).date(), float(value))
                    for period, value in zip(group["period"], group["value"], strict=True)
                ]
            object.__setattr__(self, "_grouped", grouped)
        return grouped


def replay_levels(
    session: Session, *, material_id: str, ruleset: rules.RuleSet, start: date, end: date
) -> LevelHistory:
    """The material's level at each step from ``start`` to ``end`` under ``ruleset``."""
    history_needed = timedelta(days=lookback_days(ruleset) + WARMUP_DAYS)
    observations = observation_frame(
        session, until=end, since=start - history_needed, material_id=material_id
    )
    if observations.empty:
        return LevelHistory(material_id, ruleset.version, (), _no_indicators())
    replay = rules.evaluate(observations, ruleset, start=start, end=end)
    steps = replay.materials
    spans = level_spans(
        [pd.Timestamp(p).date() for p in steps["period"]],
        [str(level) for level in steps["level"]],
        [str(direction) for direction in steps["direction"]],
    )
    indicators = replay.indicators[["period", "indicator", "series_id", "value"]].copy()
    return LevelHistory(material_id, ruleset.version, spans, indicators)


def level_spans(
    periods: list[date], levels: list[str], directions: list[str]
) -> tuple[LevelSpan, ...]:
    """Runs of equal (level, direction) over ordered steps."""
    spans: list[LevelSpan] = []
    for i, period in enumerate(periods):
        standing = (levels[i], directions[i])
        if spans and (spans[-1].level, spans[-1].direction) == standing:
            continue
        if spans:
            last = spans[-1]
            spans[-1] = LevelSpan(last.first, period, last.level, last.direction)
        spans.append(LevelSpan(period, period, *standing))
    if spans:
        last = spans[-1]
        spans[-1] = LevelSpan(last.first, periods[-1], last.level, last.direction)
    return tuple(spans)


def _no_indicators() -> pd.DataFrame:
    return pd.DataFrame({"period": [], "indicator": [], "series_id": [], "value": []})
