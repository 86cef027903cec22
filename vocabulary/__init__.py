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
    INDICATOR_KINDS,
    Aggregation,
    Frequency,
    IndicatorKind,
    frequency_rank,
)

__all__ = [
    "AGGREGATION",
    "FREQUENCIES",
    "FREQUENCY_NAMES",
    "INDICATOR_KINDS",
    "LEVEL_NAMES_ZH",
    "WARNING_LEVELS",
    "Aggregation",
    "ChangeKind",
    "Direction",
    "Frequency",
    "IndicatorKind",
    "Level",
    "frequency_rank",
    "level_rank",
]
