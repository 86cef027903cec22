"""Price against output: the supply-demand reading of a price move (engine-level, per material).

Price up while output falls is a supply shock; price down while output rises is a glut: the
value is then the price change (year on year, %). Price and output moving together is
demand-led: the value is 0 and the reason says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import Field

from rules.detectors.base import Detector, Params


class PriceOutputParams(Params):
    months: int = Field(default=12, ge=1, le=24)
    min_output_change: float = Field(default=0.0, ge=0, le=50)


class PriceVsOutput(Detector):
    """Needs a material's price and output series; computed by the engine per material."""

    name = "price_vs_output"
    params_model = PriceOutputParams
    aggregates_to = "M"
    cross = True
    unit = "%"
    subject = ("价格", "price")

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
