"""Combination, persistence and hysteresis."""

from __future__ import annotations

import numpy as np
import pytest

from rules.combine import combine_scores, latch, latch_levels, resolve, run_length
from rules.levels import CODE_LEVEL, codes_from_scores, level_from_score
from rules.ruleset import Combine, Thresholds
from rules.threshold_scores import score_side

P0 = np.zeros((1, 3), dtype=int)


def persist(n: int, blue: int = 0, yellow: int = 0, red: int = 0) -> np.ndarray:
    return np.tile([blue, yellow, red], (n, 1))


@pytest.mark.parametrize(
    ("cond", "expected"),
    [
        ([1, 1, 0, 1, 1, 1], [1, 2, 0, 1, 2, 3]),
        ([0, 0], [0, 0]),
    ],
)
def test_run_length(cond: list[int], expected: list[int]) -> None:
    assert run_length(np.array(cond, dtype=bool)).tolist() == expected


def test_latch_holds_until_off() -> None:
    on = np.array([0, 1, 0, 0, 0, 1], dtype=bool)
    off = np.array([0, 0, 0, 1, 0, 0], dtype=bool)
    assert latch(on, off).tolist() == [False, True, True, False, False, True]


@pytest.mark.parametrize(
    ("scores", "persist_steps", "release", "expected"),
    [
        # persistence: yellow only after two steps at >= 2
        ([2.2, 1.0, 2.2, 2.3, 2.4], (0, 2, 0), 1, [1, 1, 1, 2, 2]),
        # red may be immediate (0)
        ([0.0, 3.5, 0.0], (0, 0, 0), 1, [0, 3, 0]),
        # hysteresis: stays yellow while the score is above 2 - 0.5, then needs 2 steps below
        ([2.5, 1.8, 1.6, 1.4, 1.3, 1.2], (0, 0, 0), 2, [2, 2, 2, 2, 1, 1]),
    ],
)
def test_persistence_and_hysteresis(
    scores: list[float], persist_steps: tuple[int, int, int], release: int, expected: list[int]
) -> None:
    n = len(scores)
    got = latch_levels(np.array(scores), persist(n, *persist_steps), np.full(n, release), 0.5)
    assert got.tolist() == expected


@pytest.mark.parametrize(
    ("score", "code"),
    [(0.999, 0), (1.0, 1), (1.999, 1), (2.0, 2), (2.999, 2), (3.0, 3), (4.0, 3)],
)
def test_a_score_exactly_at_a_threshold_reaches_that_level(score: float, code: int) -> None:
    latched = latch_levels(np.array([score]), persist(1), np.full(1, 1), 0.5)
    assert latched.tolist() == [code]
    assert codes_from_scores(np.array([score])).tolist() == [code]
    assert level_from_score(score) == CODE_LEVEL[code]


@pytest.mark.parametrize(("value", "code"), [(10.0, 1), (15.0, 2), (30.0, 3)])
def test_a_value_exactly_at_a_threshold_reaches_that_level(value: float, code: int) -> None:
    score = score_side(np.array([value]), Thresholds(blue=10, yellow=15, red=30), "up")
    assert latch_levels(score, persist(1), np.full(1, 1), 0.5).tolist() == [code]


def test_no_flapping_around_a_threshold() -> None:
    rng = np.random.default_rng(0)
    scores = 2.0 + rng.normal(0, 0.2, 500)  # hovering around the yellow threshold
    n = len(scores)
    naive = latch_levels(scores, persist(n), np.full(n, 1), 0.0)
    damped = latch_levels(scores, persist(n, 0, 3, 0), np.full(n, 5), 0.5)
    changes = lambda x: int((np.diff(x) != 0).sum())  # noqa: E731
    assert changes(naive) > 100
    assert changes(damped) <= 4


def test_veto_drops_the_level_at_once() -> None:
    scores = np.array([3.5, 3.5, 3.5, 3.5])
    veto = np.array([False, False, True, True])
    got = latch_levels(scores, persist(4), np.full(4, 10), 0.5, veto)
    assert got.tolist() == [3, 3, 0, 0]


def test_no_data_neither_raises_nor_lowers() -> None:
    scores = np.array([2.5, np.nan, np.nan, 0.0])
    got = latch_levels(scores, persist(4), np.full(4, 1), 0.5)
    assert got.tolist() == [2, 2, 2, 0]


@pytest.mark.parametrize(
    ("method", "scores", "roles", "expected"),
    [
        ("highest", [[3.5, 0.2]], ["signal", "signal"], 3.5),
        ("agreement", [[3.5, 0.2]], ["signal", "signal"], 2.999),  # red needs a second indicator
        ("agreement", [[3.5, 2.1]], ["signal", "signal"], 3.5),
        ("agreement", [[3.5, 1.2]], ["signal", "supply"], 3.5),  # or a supply signal
        ("highest", [[np.nan, np.nan]], ["signal", "signal"], np.nan),
        ("highest", [[1.0, 3.9]], ["signal", "info"], 1.0),  # info rules never raise the level
    ],
)
def test_combine_methods(
    method: str, scores: list[list[float]], roles: list[str], expected: float
) -> None:
    s = np.array(scores)
    raw, veto = combine_scores(s, np.zeros_like(s), roles, Combine(method=method))
    np.testing.assert_allclose(raw, [expected], equal_nan=True)
    assert not veto.any()


def test_resolve_direction_and_score() -> None:
    code, direction, score = resolve(
        np.array([2, 0, 1, 0]),
        np.array([0, 3, 1, 0]),
        np.array([2.4, 0.1, 1.5, np.nan]),
        np.array([0.0, 3.2, 1.1, np.nan]),
    )
    assert code.tolist() == [2, 3, 1, -1]
    # step 2 is a tie (blue both ways): the direction shown before (down) stays
    assert direction.tolist() == [1, -1, -1, 0]
    assert score[0] == pytest.approx(2.4) and score[1] == pytest.approx(3.2)
    assert np.isnan(score[3])


@pytest.mark.parametrize(
    ("value", "side", "expected"),
    [
        (15.0, "up", 2.0),
        (22.5, "up", 2.5),
        (30.0, "up", 3.0),
        (10.0, "up", 1.0),
        (5.0, "up", 0.0),
        (100.0, "up", 4.0),
        (-15.0, "down", 2.0),
        (15.0, "down", 0.0),
    ],
)
def test_scores_are_piecewise_linear(value: float, side: str, expected: float) -> None:
    th = (
        Thresholds(blue=10, yellow=15, red=30)
        if side == "up"
        else Thresholds(blue=-10, yellow=-15, red=-30)
    )
    assert score_side(np.array([value]), th, side)[0] == pytest.approx(expected)


def test_missing_blue_never_scores_blue() -> None:
    th = Thresholds(yellow=20, red=40)
    s = score_side(np.array([19.9, 20.0]), th, "up")
    assert s[0] < 1.0 and s[1] == pytest.approx(2.0)


def test_a_tie_without_history_goes_to_the_stronger_score() -> None:
    _, direction, _ = resolve(np.array([2]), np.array([2]), np.array([2.2]), np.array([2.6]))
    assert direction.tolist() == [-1]


def test_supply_rules_set_the_level_only_without_price_data() -> None:
    scores = np.array([[np.nan, 1.5], [0.2, 1.5]])
    raw, _ = combine_scores(scores, np.zeros_like(scores), ["signal", "supply"], Combine())
    np.testing.assert_allclose(raw, [1.5, 0.2])


def test_direction_follows_the_higher_level_not_the_higher_raw_score() -> None:
    # down is held at yellow by hysteresis while a weaker up score rises: still down
    code, direction, _ = resolve(
        np.array([0, 0]), np.array([2, 2]), np.array([0.9, 0.96]), np.array([0.6, 0.5])
    )
    assert code.tolist() == [2, 2] and direction.tolist() == [-1, -1]
