"""What a series is: its indicator kind and its frequency, with their order and rules."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class IndicatorKind(StrEnum):
    """What a series measures. Prices are levels; output, import and export are flows over
    their period; inventory is a stock at the end of its period.

    ``spread`` is the term structure, near minus far futures contract as % of spot (positive
    = backwardation: the market pays for material now, supply is tight); ``basis`` is spot
    minus futures as % of spot (positive = spot premium, a tight physical market); both are
    rates, averaged over a period. ``downstream`` is the output of a product made from
    the material (batteries, solar cells): a flow, and a reading of demand.
    """

    PRICE = "price"
    OUTPUT = "output"
    INVENTORY = "inventory"
    IMPORT = "import"
    EXPORT = "export"
    SPREAD = "spread"
    BASIS = "basis"
    DOWNSTREAM = "downstream"


class Aggregation(StrEnum):
    """How values of one kind combine into a coarser period."""

    MEAN = "mean"
    SUM = "sum"
    LAST = "last"


class Frequency(StrEnum):
    """How often a series has a period, finest first (the declaration order is the order)."""

    DAILY = "D"
    WEEKLY = "W"
    TEN_DAY = "T"
    MONTHLY = "M"
    QUARTERLY = "Q"
    YEARLY = "Y"


INDICATOR_KINDS: Final[tuple[str, ...]] = tuple(kind.value for kind in IndicatorKind)
FREQUENCIES: Final[tuple[str, ...]] = tuple(frequency.value for frequency in Frequency)
FREQUENCY_NAMES: Final[dict[str, str]] = {
    "D": "daily",
    "W": "weekly",
    "T": "ten-day",
    "M": "monthly",
    "Q": "quarterly",
    "Y": "yearly",
}
FREQUENCY_NAMES_ZH: Final[dict[str, str]] = {
    "D": "日度",
    "W": "周度",
    "T": "旬度",
    "M": "月度",
    "Q": "季度",
    "Y": "年度",
}
INDICATOR_NAMES_ZH: Final[dict[str, str]] = {
    IndicatorKind.PRICE: "价格",
    IndicatorKind.OUTPUT: "产量",
    IndicatorKind.INVENTORY: "库存",
    IndicatorKind.IMPORT: "进口量",
    IndicatorKind.EXPORT: "出口量",
    IndicatorKind.SPREAD: "期限结构",
    IndicatorKind.BASIS: "基差",
    IndicatorKind.DOWNSTREAM: "下游产量",
}
INDICATOR_NAMES_EN: Final[dict[str, str]] = {
    IndicatorKind.PRICE: "price",
    IndicatorKind.OUTPUT: "output",
    IndicatorKind.INVENTORY: "stocks",
    IndicatorKind.IMPORT: "imports",
    IndicatorKind.EXPORT: "exports",
    IndicatorKind.SPREAD: "term structure",
    IndicatorKind.BASIS: "basis",
    IndicatorKind.DOWNSTREAM: "downstream output",
}


def series_names(
    material_zh: str, material_en: str, indicator: str, frequency: str
) -> tuple[str, str]:
    """A series by its name, not its id: 「甲醇 日度价格」 / "Methanol daily price"."""
    every_zh = FREQUENCY_NAMES_ZH.get(frequency, "")
    every_en = FREQUENCY_NAMES.get(frequency, "")
    zh = f"{material_zh} {every_zh}{INDICATOR_NAMES_ZH.get(indicator, indicator)}"
    en = f"{material_en} {every_en} {INDICATOR_NAMES_EN.get(indicator, indicator)}"
    return zh, " ".join(en.split())


AGGREGATION: Final[dict[str, Aggregation]] = {
    IndicatorKind.PRICE: Aggregation.MEAN,
    IndicatorKind.OUTPUT: Aggregation.SUM,
    IndicatorKind.IMPORT: Aggregation.SUM,
    IndicatorKind.EXPORT: Aggregation.SUM,
    IndicatorKind.INVENTORY: Aggregation.LAST,
    IndicatorKind.SPREAD: Aggregation.MEAN,
    IndicatorKind.BASIS: Aggregation.MEAN,
    IndicatorKind.DOWNSTREAM: Aggregation.SUM,
}


def frequency_rank(frequency: str) -> int:
    """0 for daily up to 5 for yearly: a lower rank is a finer series."""
    return FREQUENCIES.index(frequency)


class Sign(StrEnum):
    """Which values of a kind are physical: a price is above zero, a volume at least zero."""

    POSITIVE = "positive"
    NON_NEGATIVE = "non_negative"
    ANY = "any"


@dataclass(frozen=True)
class PlausibleRange:
    """The values a series of one kind can have; anything else is an error, never data.

    ``sign`` bounds the value below; a nonzero value's magnitude lies within
    [``smallest_magnitude``, ``largest_magnitude``] (no price, volume or stock quoted in this
    service's units comes near 1e12, or is a nonzero amount below a millionth).
    """

    sign: Sign = Sign.ANY
    largest_magnitude: float = 1e12
    smallest_magnitude: float = 1e-6


# Kinds not listed (import and export, which a net-trade series may give as negative, and any
# kind added later) take DEFAULT_RANGE: finite, of a sane magnitude, of either sign.
PLAUSIBLE_RANGES: Final[dict[str, PlausibleRange]] = {
    IndicatorKind.PRICE: PlausibleRange(sign=Sign.POSITIVE),
    IndicatorKind.OUTPUT: PlausibleRange(sign=Sign.NON_NEGATIVE),
    IndicatorKind.INVENTORY: PlausibleRange(sign=Sign.NON_NEGATIVE),
}
DEFAULT_RANGE: Final = PlausibleRange()


def plausible_range(kind: str) -> PlausibleRange:
    """The range of values a series of indicator ``kind`` can have."""
    return PLAUSIBLE_RANGES.get(kind, DEFAULT_RANGE)
