"""Detector registry: one small class per check, found by name from rule sets."""

from __future__ import annotations

from rules.detectors.base import Detector, monthly_means
from rules.detectors.change import Band, Change, CumulativeMove
from rules.detectors.fao import Alps, Ifpa, compound_growth, same_month_weighted_z
from rules.detectors.forecast import ForecastExceedance
from rules.detectors.history import LevelShift, Percentile, ZScore
from rules.detectors.seasonal import SeasonalNorm, SeasonalRank, StockChange
from rules.detectors.spread import RateAnomaly
from rules.detectors.stl import StlResidual
from rules.detectors.supply import ApparentConsumption, DemandVsSupply, PriceVsOutput
from rules.detectors.volatility import IfpriVolatility, VolatilityRatio

DETECTORS: dict[str, type[Detector]] = {
    cls.name: cls
    for cls in (
        Change,
        CumulativeMove,
        Band,
        ZScore,
        Percentile,
        LevelShift,
        Ifpa,
        Alps,
        StlResidual,
        IfpriVolatility,
        VolatilityRatio,
        ForecastExceedance,
        PriceVsOutput,
        SeasonalNorm,
        SeasonalRank,
        StockChange,
        RateAnomaly,
        ApparentConsumption,
        DemandVsSupply,
    )
}

__all__ = [
    "DETECTORS",
    "Alps",
    "ApparentConsumption",
    "Band",
    "Change",
    "CumulativeMove",
    "DemandVsSupply",
    "Detector",
    "ForecastExceedance",
    "Ifpa",
    "IfpriVolatility",
    "LevelShift",
    "Percentile",
    "PriceVsOutput",
    "RateAnomaly",
    "SeasonalNorm",
    "SeasonalRank",
    "StlResidual",
    "StockChange",
    "VolatilityRatio",
    "ZScore",
    "compound_growth",
    "monthly_means",
    "same_month_weighted_z",
]
