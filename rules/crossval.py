"""Cross-validation of rule sets (issue 19): figures on data the parameters were not chosen on.

Two kinds of split, each a list of folds (a part to fit on, a part to score on):

* **by time**: fit on the years before a cut, score on the years from the cut to the next one
  (:func:`time_splits`); the scored parts of all folds do not overlap;
* **leave one material out**: fit on the other materials, score on the one left out
  (:func:`material_splits`).

A *candidate* is one rule set's levels over the whole input (the rules are causal: a step
only sees data up to it, so the years after a cut do not shape the levels before it). For a
family of candidates, each fold picks the one with the least :func:`loss` on its fit part and
scores it on its held-out part; a fixed rule set (or the naive peer) is a family of one. The
figures reported are pooled over the held-out parts of all folds (:meth:`Scorer.pooled`):
every move, calm month and material-year is scored once, by the candidate its fold chose.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rules.backtest_goals import (
    WARN,
    Goals,
    all_moves,
    calm_months,
    changes_per_year,
    judge_move,
    reference_prices,
    warn_series,
)
from rules.naive_peer import naive_levels
from rules.ruleset import RuleSet, parse_ruleset
from rules.tuning import Variant, grid, regimes, variant_raw, volatilities

#: The goals of issue 19 (a stricter delay, calm-month and flapping aim than issue 4's).
ISSUE_19_GOALS = Goals(
    hit_rate=0.95, delay_days=2.0, overhang_days=20.0, calm_warned=0.01, changes_per_year=2.5
)
#: The figures of issue 19's table, in its order.
FIGURES = (
    "episodes_warned",
    "onset_delay_median_days",
    "stale_after_reversal_median_days",
    "calm_months_warned",
    "level_changes_per_material_year",
)


@dataclass(frozen=True)
class Part:
    """Materials (``None``: all) and years ``[first_year, last_year]`` (``None``: open)."""

    name: str
    materials: frozenset[str] | None = None
    first_year: int | None = None
    last_year: int | None = None

    def mask(self, material: pd.Series, year: pd.Series) -> np.ndarray:
        ok = np.ones(len(material), dtype=bool)
        if self.materials is not None:
            ok &= material.isin(self.materials).to_numpy()
        if self.first_year is not None:
            ok &= (year >= self.first_year).to_numpy()
        if self.last_year is not None:
            ok &= (year <= self.last_year).to_numpy()
        return ok


@dataclass(frozen=True)
class Fold:
    fit: Part
    held_out: Part


def time_splits(cuts: Sequence[int]) -> list[Fold]:
    """Fit on the years before each cut; score on the years from it to the next cut (the
    last to the end of the data)."""
    cuts = sorted(cuts)
    folds = []
    for i, cut in enumerate(cuts):
        last = cuts[i + 1] - 1 if i + 1 < len(cuts) else None
        end = f"{last}" if last is not None else "end"
        folds.append(
            Fold(
                Part(f"before {cut}", last_year=cut - 1),
                Part(f"{cut}-{end}", first_year=cut, last_year=last),
            )
        )
    return folds


def material_splits(materials: Sequence[str]) -> list[Fold]:
    """Leave one material out: fit on the others, score on it."""
    everything = frozenset(materials)
    return [
        Fold(Part(f"all but {m}", materials=everything - {m}), Part(m, materials=frozenset({m})))
        for m in sorted(everything)
    ]


@dataclass
class Judged:
    """One candidate's judgement of every move, calm month and material-year."""

    moves: pd.DataFrame  # material, year (of the extreme), hit, delay_days, overhang_days
    calm: pd.DataFrame  # material, year, warned
    years: pd.DataFrame  # material, year, changes

    def part(self, part: Part) -> Judged:
        return Judged(*(f[part.mask(f["material"], f["year"])] for f in self.frames()))

    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        return self.moves, self.calm, self.years

    def figures(self) -> dict[str, float]:
        """Issue 19's table: share of episodes warned, median onset delay and staleness after
        the reversal (days), share of calm months at yellow or red, mean level changes per
        material-year; NaN where the part has none."""
        m, c, y = self.moves, self.calm, self.years
        return {
            "episodes": len(m),
            "episodes_warned": _mean(m["hit"]),
            "onset_delay_median_days": _median(m["delay_days"]),
            "stale_after_reversal_median_days": _median(m["overhang_days"]),
            "calm_months": len(c),
            "calm_months_warned": _mean(c["warned"]),
            "material_years": len(y),
            "level_changes_per_material_year": _mean(y["changes"]),
        }


def _mean(s: pd.Series) -> float:
    return float(s.astype(float).mean()) if len(s) else float("nan")


def _median(s: pd.Series) -> float:
    s = s.dropna()
    return float(s.median()) if len(s) else float("nan")


def loss(figures: Mapping[str, float], goals: Goals = ISSUE_19_GOALS) -> float:
    """How far a part's figures miss the goals (0 = all met), each shortfall in units of its
    goal; calm months and flapping also count a little below their goals, so that of two
    candidates meeting every goal the quieter one wins."""
    hit = _or(figures["episodes_warned"], 1.0)
    delay = _or(figures["onset_delay_median_days"], 0.0)
    stale = _or(figures["stale_after_reversal_median_days"], 0.0)
    calm = _or(figures["calm_months_warned"], 0.0)
    flaps = _or(figures["level_changes_per_material_year"], 0.0)
    return (
        max(0.0, goals.hit_rate - hit) / (1.0 - goals.hit_rate)
        + max(0.0, delay - goals.delay_days) / max(goals.delay_days, 1.0)
        + max(0.0, stale - goals.overhang_days) / goals.overhang_days
        + max(0.0, calm - goals.calm_warned) / goals.calm_warned
        + max(0.0, flaps - goals.changes_per_year) / goals.changes_per_year
        + 0.1 * (calm / goals.calm_warned + flaps / goals.changes_per_year)
    )


def _or(value: float, default: float) -> float:
    return default if np.isnan(value) else value


class Scorer:
    """The moves, calm months and reference prices of one input, computed once."""

    def __init__(self, observations: pd.DataFrame) -> None:
        self.refs = reference_prices(observations)
        self.moves = all_moves(self.refs)
        self.calm = calm_months(self.refs)
        self.materials = sorted(self.refs)

    def judge(self, levels: pd.DataFrame) -> Judged:
        """Every move, calm month and material-year judged on one candidate's levels."""
        levels = levels.assign(
            period=pd.to_datetime(levels["period"]), direction=levels["direction"].fillna("")
        )
        flags = {
            key: warn_series(levels, *key)
            for key in {(mv.material, mv.direction) for mv in self.moves}
        }
        rows = [judge_move(mv, flags[(mv.material, mv.direction)]) for mv in self.moves]
        moves = pd.DataFrame(
            rows, columns=["material", "extreme", "hit", "delay_days", "overhang_days"]
        )
        moves["year"] = pd.DatetimeIndex(pd.to_datetime(moves["extreme"])).year
        at = levels[levels["level"].isin(WARN)]
        month = pd.DatetimeIndex(at["period"]).to_period("M").to_timestamp()
        warned = pd.DataFrame({"material": at["material"].to_numpy(), "month": month})
        warned = warned.drop_duplicates().assign(warned=True)
        calm = self.calm.merge(warned, on=["material", "month"], how="left")
        calm = calm.assign(warned=calm["warned"].notna(), year=pd.DatetimeIndex(calm["month"]).year)
        years = changes_per_year(levels).rename("changes").reset_index()
        return Judged(moves, calm[["material", "year", "warned"]], years)

    def pooled(
        self,
        folds: Sequence[Fold],
        family: Mapping[str, Judged] | Callable[[Fold], Mapping[str, Judged]],
        goals: Goals = ISSUE_19_GOALS,
    ) -> tuple[dict[str, float], list[str]]:
        """Figures pooled over the held-out parts, each fold scored by the candidate of the
        family (the same for every fold, or one per fold) with the least loss on its fit part;
        and the candidate each fold chose."""
        chosen, parts = [], []
        for fold in folds:
            cands = family(fold) if callable(family) else family
            name = min(cands, key=lambda n: loss(cands[n].part(fold.fit).figures(), goals))
            chosen.append(name)
            parts.append(cands[name].part(fold.held_out))
        frames = zip(*(p.frames() for p in parts), strict=True)
        joined = Judged(*(pd.concat(list(fs), ignore_index=True) for fs in frames))
        return joined.figures(), chosen


#: Time cuts of the full run: fit before 2010, 2015 and 2020; score 2010-14, 2015-19, 2020-.
TIME_CUTS = (2010, 2015, 2020)
NAIVE_PEER = "naive peer"
#: The split that fits and scores on everything: not a validation, but what the shipped
#: parameters are chosen on, and the contrast that shows how much the fit flatters.
IN_SAMPLE = "in-sample"


def cross_validate(
    observations: pd.DataFrame,
    rulesets: Sequence[RuleSet],
    tune: RuleSet | None = None,
    *,
    cuts: Sequence[int] = TIME_CUTS,
    variants: Sequence[Variant] | None = None,
) -> pd.DataFrame:
    """Held-out figures of the naive peer, each rule set and (``tune``) the grid of
    :mod:`rules.tuning` on that base, for both kinds of split (and, as a contrast, in-sample):
    one row per (rule set, split), with the candidates the folds chose for a tuned family."""
    scorer = Scorer(observations)
    candidates = Candidates(scorer, observations)
    splits = {
        "time": time_splits(cuts),
        "material": material_splits(scorer.materials),
        IN_SAMPLE: [Fold(Part("all"), Part("all"))],
    }
    families: dict[str, Mapping[str, Judged] | Callable[[Fold], Mapping[str, Judged]]] = {
        NAIVE_PEER: {NAIVE_PEER: scorer.judge(naive_levels(observations))}
    }
    for rs in rulesets:
        families[rs.version] = {rs.version: candidates.of(rs.model.model_dump(exclude_none=True))}
    tuned: dict[str, Callable[[Fold], Mapping[str, Judged]]] = {}
    if tune is not None:
        tuned = _tuned_families(candidates, tune, variants or grid())
    rows = []
    for name, fam in families.items():
        for kind, folds in splits.items():
            figures, _ = scorer.pooled(folds, fam)
            rows.append({"rule_set": name, "split": kind, **figures, "chosen": ""})
    for kind, folds in splits.items():
        if tune is not None:
            figures, chosen = scorer.pooled(folds, tuned[kind])
            picks = "; ".join(f"{f.held_out.name}: {c}" for f, c in zip(folds, chosen, strict=True))
            rows.append({"rule_set": f"tuned {tune.version}", "split": kind, **figures,
                         "chosen": picks})  # fmt: skip
    return pd.DataFrame(rows)


class Candidates:
    """Rule sets (raw mappings) judged on one input, each distinct one evaluated once."""

    def __init__(self, scorer: Scorer, observations: pd.DataFrame) -> None:
        self.scorer, self.observations = scorer, observations
        self.cache: dict[str, Judged] = {}

    def of(self, raw: Mapping[str, Any]) -> Judged:
        from rules.engine import evaluate

        key = json.dumps(raw, sort_keys=True, default=str)
        if key not in self.cache:
            levels = evaluate(self.observations, parse_ruleset(raw), with_indicators=False)
            self.cache[key] = self.scorer.judge(levels.materials)
        return self.cache[key]


def _tuned_families(
    candidates: Candidates, base: RuleSet, variants: Sequence[Variant]
) -> dict[str, Callable[[Fold], Mapping[str, Judged]]]:
    """Per kind of split, the grid's candidates for a fold. Time folds measure the regimes on
    the years before the cut; material folds on every material's whole history (the tertile
    cuts include the material left out: its prices are input, not what is scored)."""

    def family(regime: Mapping[str, str]) -> dict[str, Judged]:
        return {v.name: candidates.of(variant_raw(base, v, regime)) for v in variants}

    refs = candidates.scorer.refs
    whole = regimes(volatilities(refs))
    return {
        "time": lambda fold: family(regimes(volatilities(refs, fold.fit.last_year))),
        "material": lambda fold: family(whole),
        IN_SAMPLE: lambda fold: family(whole),
    }
