"""FAO IFPA against a hand-computed example and an independent loop implementation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rules.detectors import DETECTORS, compound_growth, same_month_weighted_z


def test_weighted_z_by_hand() -> None:
    # January CGRs in five years: 0.01 .. 0.04 earlier, 0.05 now. Weights 1..4 / 10:
    # mean = (0.01 + 0.04 + 0.09 + 0.16) / 10 = 0.03
    # var = (1*0.02^2 + 2*0.01^2 + 3*0 + 4*0.01^2) / 10 = 0.0001 -> std 0.01; z = 2.0
    idx = pd.date_range("2010-01-01", periods=49, freq="MS")
    cgr = pd.DataFrame({"s": np.nan}, index=idx)
    jan = idx[idx.month == 1]
    cgr.loc[jan, "s"] = [0.01, 0.02, 0.03, 0.04, 0.05]
    z = same_month_weighted_z(cgr, min_years=4)
    assert z.loc[jan[-1], "s"] == pytest.approx(2.0)
    assert np.isnan(z.loc[jan[3], "s"])  # only three earlier years


def test_compound_growth_by_hand() -> None:
    m = pd.DataFrame(
        {"s": [100.0, 110.0, 121.0, 133.1]}, index=pd.date_range("2020-01-01", periods=4, freq="MS")
    )
    assert compound_growth(m, 3)["s"].iloc[-1] == pytest.approx(0.10)


def _ifpa_loop(prices: np.ndarray, t: int, min_years: int = 4) -> float:
    """Independent, loop-based IFPA at month index t (the published formula)."""

    def cgr(i: int, n: int) -> float:
        return (prices[i] / prices[i - n]) ** (1 / n) - 1

    def z(n: int) -> float:
        earlier = [cgr(i, n) for i in range(t - 12, n - 1, -12)][::-1]  # oldest first
        w = np.arange(1, len(earlier) + 1, dtype=float)
        w /= w.sum()
        mu = float(np.sum(w * earlier))
        sd = float(np.sqrt(np.sum(w * (np.asarray(earlier) - mu) ** 2)))
        assert len(earlier) >= min_years
        return (cgr(t, n) - mu) / sd

    return 0.4 * z(3) + 0.6 * z(12)


def test_ifpa_matches_the_published_formula() -> None:
    rng = np.random.default_rng(7)
    prices = 100 * np.exp(np.cumsum(rng.normal(0.003, 0.04, 120)))
    idx = pd.date_range("2010-01-01", periods=120, freq="MS")
    out, freq = DETECTORS["ifpa"]({}).compute(pd.DataFrame({"s": prices}, index=idx), "M")
    assert freq == "M"
    for t in (100, 110, 119):
        assert out["s"].iloc[t] == pytest.approx(_ifpa_loop(prices, t), rel=1e-9)
    # needs four earlier years of CAGR: 12 months to form it, then 4 same-month values
    assert out["s"].iloc[: 12 + 48].isna().all()
