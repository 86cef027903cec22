"""Warning levels, their order and the score scale shared by all detectors.

A detector's value becomes a continuous *score*: 0 is calm, 1 is the blue threshold,
2 yellow, 3 red, capped at 4. Levels are read off the score, so every part of the engine
(combination, persistence, hysteresis) works on one scale.
"""

from __future__ import annotations

import numpy as np

from vocabulary import LEVEL_NAMES_ZH, WARNING_LEVELS, Direction, Level, level_rank

__all__ = [
    "CODE_LEVEL",
    "LEVEL_CODE",
    "LEVEL_NAMES_ZH",
    "SCORE_CAP",
    "WARNING_LEVELS",
    "Direction",
    "Level",
    "codes_from_scores",
    "level_from_score",
    "level_rank",
    "max_level",
]

# The engine's integer codes are the shared severity ranks (vocabulary.level_rank).
LEVEL_CODE: dict[Level, int] = {level: level_rank(level) for level in Level}
CODE_LEVEL: dict[int, Level] = {code: level for level, code in LEVEL_CODE.items()}
SCORE_CAP = 4.0


def max_level(*levels: Level | str) -> Level:
    """The most severe of the given levels (``no_data`` only when nothing else is given)."""
    if not levels:
        return Level.NO_DATA
    return CODE_LEVEL[max(level_rank(lv) for lv in levels)]


def level_from_score(score: float) -> Level:
    """Level for a score on the shared scale; NaN means no data."""
    if score != score:  # NaN
        return Level.NO_DATA
    return CODE_LEVEL[int(min(max(np.floor(score), 0), 3))]


def codes_from_scores(scores: np.ndarray) -> np.ndarray:
    """Vectorised :func:`level_from_score`: integer codes, -1 where the score is NaN."""
    out = np.floor(np.clip(np.nan_to_num(scores, nan=0.0), 0, 3)).astype(np.int8)
    out[np.isnan(scores)] = -1
    return out
