"""Cross-validation (issue 19): the splits, the choice on the fit part, the held-out figures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import rules
from rules.crossval import (
    NAIVE_PEER,
    Fold,
    Judged,
    Part,
    Scorer,
    cross_validate,
    loss,
    material_splits,
    time_splits,
)
from rules.tuning import Variant, regimes, variant_raw

SAMPLE = Path(__file__).resolve().parents[2] / "warning" / "data" / "sample"
#: The grid's base (rules/tuning.py): default-2.0, the default before issue 19.
DEFAULT_2 = rules.DEFAULT_RULESET_PATH.parent / "default-2.0.yaml"


@pytest.mark.parametrize(
    ("cuts", "expected"),
    [
        ([2020], [((None, 2019), (2020, None))]),
        (
            [2015, 2010, 2020],
            [
                ((None, 2009), (2010, 2014)),
                ((None, 2014), (2015, 2019)),
                ((None, 2019), (2020, None)),
            ],
        ),
    ],
)
def test_time_splits_fit_before_and_score_after(
    cuts: list[int], expected: list[tuple[tuple[int | None, int | None], ...]]
) -> None:
    folds = time_splits(cuts)
    got = [
        ((f.fit.first_year, f.fit.last_year), (f.held_out.first_year, f.held_out.last_year))
        for f in folds
    ]
    assert got == expected
    assert all(f.fit.materials is None and f.held_out.materials is None for f in folds)


def test_leave_one_material_out() -> None:
    folds = material_splits(["zinc", "coke", "urea"])
    assert [f.held_out.materials for f in folds] == [{"coke"}, {"urea"}, {"zinc"}]
    assert [f.fit.materials for f in folds] == [
        {"urea", "zinc"},
        {"coke", "zinc"},
        {"coke", "urea"},
    ]


@pytest.mark.parametrize(
    ("part", "kept"),
    [
        (Part("all"), [0, 1, 2, 3]),
        (Part("coke", materials=frozenset({"coke"})), [0, 1]),
        (Part("from 2015", first_year=2015), [1, 3]),
        (Part("to 2014", last_year=2014), [0, 2]),
        (Part("zinc 2015", frozenset({"zinc"}), 2015, 2015), [3]),
    ],
)
def test_a_part_selects_materials_and_years(part: Part, kept: list[int]) -> None:
    material = pd.Series(["coke", "coke", "zinc", "zinc"])
    year = pd.Series([2014, 2015, 2014, 2015])
    assert part.mask(material, year).nonzero()[0].tolist() == kept


def judged(hits: list[bool], calm_warned: list[bool]) -> Judged:
    """Two years of one material: moves and calm months alternate 2014, 2015."""
    years = [2014 + i % 2 for i in range(len(hits))]
    moves = pd.DataFrame(
        {"material": "coke", "year": years, "hit": hits, "delay_days": 0.0, "overhang_days": 0.0}
    )
    cyears = [2014 + i % 2 for i in range(len(calm_warned))]
    calm = pd.DataFrame({"material": "coke", "year": cyears, "warned": calm_warned})
    flaps = pd.DataFrame({"material": "coke", "year": [2014, 2015], "changes": [2, 2]})
    return Judged(moves, calm, flaps)


def test_each_fold_chooses_on_its_fit_part_and_reports_the_held_out_part() -> None:
    # "loud" warns every calm month; "quiet" misses every move. In 2014 the moves are few
    # and the calm months many; what 2015 says must not decide the 2015 figures.
    loud = judged([True] * 4, [True] * 8)
    quiet = judged([False, True, False, True], [False] * 8)
    folds = [Fold(Part("2014", last_year=2014), Part("2015", first_year=2015))]
    figures, chosen = Scorer.__new__(Scorer).pooled(folds, {"loud": loud, "quiet": quiet})
    # on 2014 loud warns 4 of 4 calm months (99 goal units over 1 %), quiet misses 2 of 2
    # moves (19 units under 95 %): quiet is chosen, though in 2015 it warns 2 of 2 moves
    assert chosen == ["quiet"]
    assert figures["episodes"] == 2 and figures["episodes_warned"] == 1.0
    assert figures["calm_months"] == 4 and figures["calm_months_warned"] == 0.0


def test_the_held_out_figures_pool_the_folds() -> None:
    a = judged([True, False, True, False], [False, True, False, True])
    folds = time_splits([2014, 2015])
    figures, chosen = Scorer.__new__(Scorer).pooled(folds, {"a": a})
    assert chosen == ["a", "a"]
    assert figures["episodes"] == 4 and figures["episodes_warned"] == 0.5
    assert figures["calm_months_warned"] == 0.5
    assert figures["level_changes_per_material_year"] == 2.0


@pytest.mark.parametrize(
    ("figures", "zero"),
    [
        ({"episodes_warned": 0.95, "onset_delay_median_days": 2.0,
          "stale_after_reversal_median_days": 20.0, "calm_months_warned": 0.0,
          "level_changes_per_material_year": 0.0}, True),
        ({"episodes_warned": 0.94, "onset_delay_median_days": 2.0,
          "stale_after_reversal_median_days": 20.0, "calm_months_warned": 0.0,
          "level_changes_per_material_year": 0.0}, False),
        ({"episodes_warned": 0.95, "onset_delay_median_days": 3.0,
          "stale_after_reversal_median_days": 20.0, "calm_months_warned": 0.0,
          "level_changes_per_material_year": 0.0}, False),
    ],
)  # fmt: skip
def test_loss_is_zero_only_at_the_goals(figures: dict[str, float], zero: bool) -> None:
    assert (loss(figures) == 0.0) == zero


def test_regimes_by_tertiles_and_the_thresholds_they_scale() -> None:
    vol = pd.Series({"cement": 0.03, "coke": 0.08, "lithium_carbonate": 0.2})
    reg = regimes(vol)
    assert reg == {"cement": "low", "coke": "mid", "lithium_carbonate": "high"}
    variant = Variant(0.75, 1.5, yellow_days=8, unbacked_days=3, confirmed_days=2)
    raw = variant_raw(rules.load_ruleset(DEFAULT_2), variant, reg)
    over = raw["materials"]["lithium_carbonate"]["overrides"]["price_change_3m"]
    assert over == {"up": {"yellow": 22.5, "red": 45.0}, "down": {"yellow": -22.5, "red": -37.5}}
    assert raw["materials"]["cement"]["overrides"]["price_yoy"]["up"] == {
        "yellow": 19.0,
        "red": 37.5,
    }
    assert "coke" not in raw["materials"]
    assert raw["persistence"]["D"] == {"blue": 60, "yellow": 8, "red": 3}
    assert raw["hysteresis"]["unbacked_steps"] == {"D": 3}
    assert raw["confirmation"] == {
        "persistence": {"D": {"blue": 60, "yellow": 2, "red": 2}},
        "score": 1.0,
    }
    assert rules.parse_ruleset(raw).rules_for("cement")  # a valid rule set


@pytest.mark.parametrize(
    ("variant", "daily", "confirmation"),
    [
        (Variant(red_days=5), {"blue": 60, "yellow": 5, "red": 5}, None),
        (
            Variant(unconfirmed_days=20),
            {"blue": 60, "yellow": 5, "red": 3},
            {"unconfirmed": {"D": {"blue": 60, "yellow": 20, "red": 20}}, "score": 2.0,
             "roles": ["signal"]},
        ),
        (
            Variant(yellow_days=4, red_days=5, unconfirmed_days=4),
            {"blue": 60, "yellow": 4, "red": 5},
            {"unconfirmed": {"D": {"blue": 60, "yellow": 4, "red": 5}}, "score": 2.0,
             "roles": ["signal"]},
        ),
    ],
)  # fmt: skip
def test_red_persistence_and_waiting_for_a_second_price_series(
    variant: Variant, daily: dict[str, int], confirmation: dict[str, object] | None
) -> None:
    raw = variant_raw(rules.load_ruleset(DEFAULT_2), variant, {})
    assert raw["persistence"]["D"] == daily
    assert raw.get("confirmation") == confirmation
    assert rules.parse_ruleset(raw).model.confirmation is not None or confirmation is None


def test_the_base_variant_is_the_base_rule_set() -> None:
    base = rules.load_ruleset(DEFAULT_2)
    raw = variant_raw(base, Variant(), {"cement": "low", "coke": "high"})
    assert raw == base.model.model_dump(exclude_none=True)


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    frames = [pd.read_csv(SAMPLE / f"{m}.csv") for m in ("coke", "lithium_carbonate", "zinc")]
    obs = pd.concat(frames, ignore_index=True)
    obs["period"] = pd.to_datetime(obs["period"])
    return obs[obs["period"] >= "2012-01-01"]


def test_cross_validation_on_a_small_sample(sample: pd.DataFrame) -> None:
    """Both kinds of split, the naive peer, a fixed rule set and a grid of two (the full run
    is ``make bench``)."""
    base = rules.load_ruleset(DEFAULT_2)
    table = cross_validate(
        sample, [base], base, cuts=[2020], variants=[Variant(), Variant(unbacked_days=3)]
    )
    assert table[["rule_set", "split"]].values.tolist() == [
        [NAIVE_PEER, "time"], [NAIVE_PEER, "material"], [NAIVE_PEER, "in-sample"],
        ["default-2.0", "time"], ["default-2.0", "material"], ["default-2.0", "in-sample"],
        ["tuned default-2.0", "time"], ["tuned default-2.0", "material"],
        ["tuned default-2.0", "in-sample"],
    ]  # fmt: skip
    # every row of a split scores the same held-out moves and calm months
    per_split = table.groupby("split")[["episodes", "calm_months"]].nunique()
    assert (per_split == 1).all().all()
    assert table["episodes"].iloc[0] > 0
    assert ((table["episodes_warned"] >= 0) & (table["episodes_warned"] <= 1)).all()
    material = table[table["split"] == "material"]
    assert material["chosen"].iloc[-1].count(":") == 3  # one choice per material left out
