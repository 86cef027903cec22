"""Table-driven tests of the supply and demand detectors: (detector, params, input, expected)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from rules.detectors import DETECTORS
from rules.detectors.supply import CrossDetector

NAN = math.nan


def frame(values: list[float], freq: str, start: str = "2018-01-01") -> pd.DataFrame:
    alias = {"D": "B", "W": "W-MON", "M": "MS"}[freq]
    idx = pd.date_range(start, periods=len(values), freq=alias)
    return pd.DataFrame({"s": np.asarray(values, dtype=float)}, index=idx)


def years(*levels: float, last: float) -> list[float]:
    """Twelve months at each level, then one month at ``last``."""
    return [v for level in levels for v in [level] * 12] + [last]


SINGLE = [
    # detector, params, input frequency, values, expected last value(s), output frequency
    ("seasonal_norm", {}, "M", years(100, 200, last=300), [100.0], "M"),  # norm 150
    ("seasonal_norm", {}, "M", years(100, 200, last=75), [-50.0], "M"),
    ("seasonal_norm", {}, "M", years(100, last=300), [NAN], "M"),  # one earlier year < 2
    ("seasonal_norm", {"min_years": 1}, "M", years(100, last=300), [200.0], "M"),
    ("seasonal_norm", {}, "M", years(0, 0, last=5), [NAN], "M"),  # a zero norm: no value
    ("seasonal_norm", {}, "W", [100.0] * 104 + [40.0], [-60.0], "W"),
    ("seasonal_rank", {}, "M", years(100, 200, last=150), [50.0], "M"),
    ("seasonal_rank", {}, "M", years(100, 200, last=300), [100.0], "M"),
    ("seasonal_rank", {}, "M", years(100, 200, last=50), [0.0], "M"),
    ("seasonal_rank", {}, "M", years(100, 100, last=100), [50.0], "M"),  # ties count half
    ("seasonal_rank", {}, "M", years(100, last=50), [NAN], "M"),  # one year < min_years
    ("stock_change", {"weeks": 4}, "W", [100.0] * 56 + [70.0], [-30.0], "W"),
    ("stock_change", {"weeks": 4}, "W", [10.0] * 56 + [0.0], [-100.0], "W"),  # stocks of 0
    ("stock_change", {"weeks": 4}, "W", [0.0] * 56 + [5.0], [NAN], "W"),  # no scale
    ("rate_anomaly", {}, "D", [1.0] * 300 + [2.0] * 5, [10.0], "D"),  # 1 pp / floor 0.1
    ("rate_anomaly", {}, "D", [1.0] * 300 + [0.5] * 5, [-5.0], "D"),
    ("rate_anomaly", {}, "D", [1.0] * 100, [NAN], "D"),  # not enough history
]


@pytest.mark.parametrize(("name", "params", "freq", "values", "expected", "out_freq"), SINGLE)
def test_supply_detector_values(
    name: str,
    params: dict[str, object],
    freq: str,
    values: list[float],
    expected: list[float],
    out_freq: str,
) -> None:
    out, got_freq = DETECTORS[name](params).compute(frame(values, freq), freq)
    assert got_freq == out_freq
    got = out["s"].to_numpy()[-len(expected) :]
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-9, equal_nan=True)


def test_daily_stocks_are_read_as_the_weeks_last_value() -> None:
    daily = frame([100.0] * 540 + [10.0, 20.0, 30.0, 40.0, 50.0], "D", start="2017-01-02")
    out, freq = DETECTORS["seasonal_norm"]({}).compute(daily, "D")
    assert freq == "W"
    assert out.index[-1].dayofweek == 0  # weeks are labelled by their Monday
    assert out["s"].iloc[-1] == pytest.approx(-50.0)  # Friday's 50 against a norm of 100


def monthly(*columns: list[float]) -> pd.DataFrame:
    idx = pd.date_range("2019-01-01", periods=len(columns[0]), freq="MS")
    return pd.DataFrame({f"c{i}": c for i, c in enumerate(columns)}, index=idx)


def yoy(start: float, end: float) -> list[float]:
    """Thirteen months from ``start`` to ``end`` (the last is 12 months after the first)."""
    return [start] * 12 + [end]


EMPTY = pd.DataFrame()
CROSS = [
    # detector, monthly values per kind, expected last value
    ("price_vs_output", {"price": monthly(yoy(100, 130)), "output": monthly(yoy(100, 95))}, 30.0),
    ("price_vs_output", {"price": monthly(yoy(100, 130)), "output": monthly(yoy(100, 105))}, 0.0),
    ("price_vs_output", {"price": monthly(yoy(100, 80)), "output": monthly(yoy(100, 110))}, -20.0),
    (
        "apparent_consumption",
        {
            "output": monthly(yoy(100, 120)),
            "import": monthly(yoy(10, 10)),
            "export": monthly(yoy(10, 30)),
        },
        0.0,  # 100 + 10 - 10 = 100 -> 120 + 10 - 30 = 100
    ),
    (
        "apparent_consumption",
        {"output": monthly(yoy(100, 100)), "import": monthly(yoy(25, 50)), "export": EMPTY},
        20.0,  # 125 -> 150
    ),
    (
        "demand_vs_supply",
        {"downstream": monthly(yoy(50, 70)), "output": monthly(yoy(100, 110))},
        30.0,  # +40 % against +10 %: 30 pp
    ),
    (
        "demand_vs_supply",
        {"downstream": monthly(yoy(50, 45), yoy(10, 11)), "output": monthly(yoy(100, 100))},
        0.0,  # the mean of -10 % and +10 %
    ),
]


@pytest.mark.parametrize(("name", "kinds", "expected"), CROSS)
def test_cross_detector_values(name: str, kinds: dict[str, pd.DataFrame], expected: float) -> None:
    det = DETECTORS[name]({})
    assert isinstance(det, CrossDetector)
    full = {kind: kinds.get(kind, EMPTY) for kind in det.kinds}
    out = det.combine_kinds(full)
    assert out is not None
    assert out.iloc[-1] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("name", "kinds"),
    [
        ("apparent_consumption", {"output": monthly(yoy(1, 2))}),  # no trade series
        ("demand_vs_supply", {"downstream": monthly(yoy(1, 2))}),  # no own output
        ("price_vs_output", {"price": monthly(yoy(1, 2))}),
    ],
)
def test_cross_detectors_without_a_kind_they_need_give_nothing(
    name: str, kinds: dict[str, pd.DataFrame]
) -> None:
    det = DETECTORS[name]({})
    assert isinstance(det, CrossDetector)
    assert det.combine_kinds({kind: kinds.get(kind, EMPTY) for kind in det.kinds}) is None
