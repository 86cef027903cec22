"""Table-driven detector tests: (detector, params, input, expected) rows."""

from __future__ import annotations

import math

import numpy as np
import pytest
from rules_testdata import wide_of

from rules.detectors import DETECTORS

NAN = math.nan
RAMP = [100.0] * 10 + [110.0, 121.0]

CASES = [
    # detector, params, input values (daily), expected values of the last len(expected) rows
    ("change", {"periods": 1}, [100, 110, 99], [10.0, -10.0]),
    ("change", {"periods": 2}, [100, 110, 121], [21.0]),
    ("change", {"periods": 5}, [100, 101, 102], [NAN]),  # history too short
    ("cumulative_move", {"window": 3}, [100, 90, 95, 108], [20.0]),  # rise from the low
    ("cumulative_move", {"window": 3}, [100, 120, 110, 96], [-20.0]),  # fall from the high
    ("band", {}, [570, 800], [570.0, 800.0]),
    ("zscore", {"window": 4, "min_periods": 4, "log": False}, [1, 3, 1, 3, 4], [2.0 / 1.1547]),
    ("zscore", {"window": 4, "min_periods": 4, "log": False}, [2, 2, 2, 2, 5], [NAN]),  # flat
    ("percentile", {"window": 4, "min_periods": 4, "log": False}, [1, 2, 3, 4, 0], [25.0]),
    ("percentile", {"window": 4, "min_periods": 4, "log": False}, [4, 3, 2, 1, 9], [100.0]),
    ("level_shift", {"window": 2}, [100, 100, 100, 100], [0.0]),
]


@pytest.mark.parametrize(("detector", "params", "values", "expected"), CASES)
def test_detector_values(
    detector: str, params: dict[str, object], values: list[float], expected: list[float]
) -> None:
    det = DETECTORS[detector](params)
    out, freq = det.compute(wide_of(values), "D")
    got = out["s"].to_numpy()[-len(expected) :]
    assert freq == "D"
    np.testing.assert_allclose(got, expected, rtol=1e-6, equal_nan=True)


def test_change_by_calendar_days_uses_value_a_year_ago() -> None:
    w = wide_of(list(np.linspace(100, 200, 400)))
    out, _ = DETECTORS["change"]({"days": 365}).compute(w, "D")
    last = w.index[-1]
    past = w.loc[: last - np.timedelta64(365, "D"), "s"].iloc[-1]
    assert out["s"].iloc[-1] == pytest.approx((200 / past - 1) * 100)
    assert out["s"].iloc[:200].isna().all()  # no year of history yet


def test_detectors_are_vectorised_over_columns() -> None:
    w = wide_of(RAMP)
    w["t"] = w["s"] * 2
    out, _ = DETECTORS["change"]({"periods": 1}).compute(w, "D")
    np.testing.assert_allclose(out["s"], out["t"], equal_nan=True)


def test_missing_input_stays_missing() -> None:
    w = wide_of([100, 101, NAN, 103])
    out, _ = DETECTORS["cumulative_move"]({"window": 2}).compute(w, "D")
    assert math.isnan(out["s"].iloc[2])


def test_ifpri_volatility_flags_a_burst_of_extreme_returns() -> None:
    rng = np.random.default_rng(1)
    calm = rng.normal(0, 0.01, 400)
    burst = rng.normal(0, 0.05, 60)
    prices = 100 * np.exp(np.cumsum(np.r_[calm, burst]))
    det = DETECTORS["ifpri_volatility"]({"window": 60, "history": 300, "min_history": 200})
    out, _ = det.compute(wide_of(list(prices)), "D")
    assert abs(out["s"].iloc[-1]) > 1.6  # p <= 0.025: IFPRI's red
    assert abs(out["s"].iloc[380]) < 1.6


def test_volatility_ratio_is_signed_by_the_move() -> None:
    rng = np.random.default_rng(2)
    r = np.r_[rng.normal(0, 0.005, 300), np.abs(rng.normal(0, 0.03, 20))]
    out, _ = DETECTORS["volatility_ratio"](
        {"window": 20, "history": 200, "min_history": 100}
    ).compute(wide_of(list(100 * np.exp(np.cumsum(r)))), "D")
    assert out["s"].iloc[-1] > 3


@pytest.mark.parametrize("name", ["stl_residual", "forecast_exceedance", "alps"])
def test_monthly_detectors_flag_a_spike_after_a_calm_history(name: str) -> None:
    months = 96
    t = np.arange(months)
    rng = np.random.default_rng(3)
    base = 100 * (1 + 0.05 * np.sin(2 * np.pi * t / 12)) + rng.normal(0, 0.5, months)
    base[-1] *= 1.4
    params = {"window": 48} if name == "stl_residual" else {}
    out, freq = DETECTORS[name](params).compute(wide_of(list(base), "M"), "M")
    assert freq == "M"
    assert out["s"].iloc[-1] > 3
    assert abs(out["s"].iloc[-13]) < 3
