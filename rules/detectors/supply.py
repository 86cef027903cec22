"""Supply and demand across a material's series (engine-level, per material, monthly).

Each detector here needs several indicator kinds of one material; the engine hands it the
material's monthly values per kind (:attr:`Detector.kinds`: one column per series; price and
rate means, flows as published) and it returns one monthly series:

* :class:`PriceVsOutput`: price up while output falls is a supply shock, price down while
  output rises a glut: the value is then the price change year on year (%); price and output
  moving together is demand-led, and the value is 0.
* :class:`ApparentConsumption`: output + imports - exports, year on year (%): demand.
* :class:`DemandVsSupply`: downstream output growth minus the material's output growth, year
  on year (percentage points): demand growing faster than supply backs "up".
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from pydantic import Field

from rules.detectors.base import Detector, Params


def monthly_change(m: pd.DataFrame, months: int) -> pd.DataFrame:
    """% change against ``months`` months earlier, on a complete monthly index."""
    if m.empty:
        return m
    full = m.reindex(pd.date_range(m.index.min(), m.index.max(), freq="MS"))
    return (full / full.where(full > 0).shift(months) - 1.0) * 100.0


class CrossDetector(Detector):
    """A detector over several kinds of one material's series (see the module docstring)."""

    cross = True
    aggregates_to = "M"
    #: Kinds a material must have for the detector to give anything (each inner tuple: at
    #: least one of its kinds)
    needs: tuple[tuple[str, ...], ...] = ()

    def ready(self, present: set[str]) -> bool:
        """Whether a material with series of the kinds ``present`` can give values."""
        return all(any(kind in present for kind in group) for group in self.needs)

    def combine_kinds(self, monthly: Mapping[str, pd.DataFrame]) -> pd.Series | None:
        """One monthly series from the material's monthly values per kind; None when the
        material lacks a kind the detector needs."""
        raise NotImplementedError


class PriceOutputParams(Params):
    months: int = Field(default=12, ge=1, le=24)
    min_output_change: float = Field(default=0.0, ge=0, le=50)


class PriceVsOutput(CrossDetector):
    """Supply-driven price change: price change (%) when output moves the other way."""

    name = "price_vs_output"
    params_model = PriceOutputParams
    unit = "%"
    subject = ("价格", "price")
    kinds = ("price", "output")
    needs = (("price",), ("output",))

    def combine_kinds(self, monthly: Mapping[str, pd.DataFrame]) -> pd.Series | None:
        p = self.params
        assert isinstance(p, PriceOutputParams)
        if monthly["output"].empty or monthly["price"].empty:
            return None
        price = monthly_change(monthly["price"], p.months).mean(axis=1)
        output = monthly_change(monthly["output"], p.months).mean(axis=1)
        return self.combine(price, output)

    def combine(self, price_change: pd.Series, output_change: pd.Series) -> pd.Series:
        """Supply-driven price change (%) from monthly price and output changes (%)."""
        p = self.params
        assert isinstance(p, PriceOutputParams)
        df = pd.concat({"p": price_change, "o": output_change}, axis=1)
        opposite = np.sign(df["p"]) * np.sign(df["o"]) < 0
        big = df["o"].abs() >= p.min_output_change
        out = df["p"].where(opposite & big, 0.0)
        return out.where(df["p"].notna() & df["o"].notna())

    def lookback_days(self, freq: str) -> int:
        p = self.params
        assert isinstance(p, PriceOutputParams)
        return 31 * (p.months + 2)

    def describe(self, freq: str) -> tuple[str, str]:
        return "同比（产量反向变动）", "year on year, with output moving the other way"


class YearOnYearParams(Params):
    months: int = Field(default=12, ge=1, le=24)


class ApparentConsumption(CrossDetector):
    """Apparent consumption (output + imports - exports), % change year on year.

    Uses the material's first output series (by id) and every import and export series; a
    month counts only when output and each trade kind the material has are all present.
    """

    name = "apparent_consumption"
    params_model = YearOnYearParams
    unit = "%"
    subject = ("表观消费量", "apparent consumption")
    kinds = ("output", "import", "export")
    needs = (("output",), ("import", "export"))

    def combine_kinds(self, monthly: Mapping[str, pd.DataFrame]) -> pd.Series | None:
        p = self.params
        assert isinstance(p, YearOnYearParams)
        output, imports, exports = monthly["output"], monthly["import"], monthly["export"]
        if output.empty or (imports.empty and exports.empty):
            return None
        parts = [output[sorted(output.columns)[0]]]
        if not imports.empty:
            parts.append(imports.sum(axis=1, min_count=imports.shape[1]))
        if not exports.empty:
            parts.append(-exports.sum(axis=1, min_count=exports.shape[1]))
        total = pd.concat(parts, axis=1).sum(axis=1, min_count=len(parts))
        return monthly_change(total.to_frame("c"), p.months)["c"]

    def lookback_days(self, freq: str) -> int:
        p = self.params
        assert isinstance(p, YearOnYearParams)
        return 31 * (p.months + 2)

    def describe(self, freq: str) -> tuple[str, str]:
        return "同比", "year on year"


class DemandVsSupply(CrossDetector):
    """Downstream output growth minus the material's output growth (pp, year on year)."""

    name = "demand_vs_supply"
    params_model = YearOnYearParams
    unit = "pp"
    subject = ("下游与自身产量", "downstream against own output")
    kinds = ("downstream", "output")
    needs = (("downstream",), ("output",))

    def combine_kinds(self, monthly: Mapping[str, pd.DataFrame]) -> pd.Series | None:
        p = self.params
        assert isinstance(p, YearOnYearParams)
        down, out = monthly["downstream"], monthly["output"]
        if down.empty or out.empty:
            return None
        demand = monthly_change(down, p.months).mean(axis=1)
        supply = monthly_change(out, p.months).mean(axis=1)
        return demand - supply

    def lookback_days(self, freq: str) -> int:
        p = self.params
        assert isinstance(p, YearOnYearParams)
        return 31 * (p.months + 2)

    def describe(self, freq: str) -> tuple[str, str]:
        return "同比增速之差", "growth gap year on year"
