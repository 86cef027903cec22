"""The words every package shares: levels and directions, kinds of change, indicator kinds and
frequencies.

A leaf: it imports nothing of this project, and ``feeds``, ``rules``, ``alerts`` and
``warning`` all import it (the import-linter contracts in pyproject.toml hold both).
"""

from vocabulary.changes import ChangeKind
from vocabulary.levels import LEVEL_NAMES_ZH, WARNING_LEVELS, Direction, Level, level_rank
from vocabulary.series import (
    AGGREGATION,
    FREQUENCIES,
    FREQUENCY_NAMES,
    FREQUENCY_NAMES_ZH,
    INDICATOR_KINDS,
    INDICATOR_NAMES_EN,
    INDICATOR_NAMES_ZH,
    PLAUSIBLE_RANGES,
    Aggregation,
    Frequency,
    IndicatorKind,
    PlausibleRange,
    Sign,
    frequency_rank,
    plausible_range,
    series_names,
)

__all__ = [
    "AGGREGATION",
    "FREQUENCIES",
    "FREQUENCY_NAMES",
    "FREQUENCY_NAMES_ZH",
    "INDICATOR_KINDS",
    "INDICATOR_NAMES_EN",
    "INDICATOR_NAMES_ZH",
    "LEVEL_NAMES_ZH",
    "PLAUSIBLE_RANGES",
    "WARNING_LEVELS",
    "Aggregation",
    "ChangeKind",
    "Direction",
    "Frequency",
    "IndicatorKind",
    "Level",
    "PlausibleRange",
    "Sign",
    "frequency_rank",
    "level_rank",
    "plausible_range",
    "series_names",
]
