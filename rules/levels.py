"""Warning levels, their order and the score scale shared by all detectors.

A detector's value becomes a continuous *score*: 0 is calm, 1 is the blue threshold,
2 yellow, 3 red, capped at 4. Levels are read off the score, so every part of the engine
(combination, persistence, hysteresis) works on one scale.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np


class Level(StrEnum):
    """Warning level; red is the most severe (Chinese practice), ``no_data`` is never normal."""

    NO_DATA = "no_data"
    NORMAL = "normal"
    BLUE = "blue"
    YELLOW = "yellow"
    RED = "red"


class Direction(StrEnum):
    """Direction of an abnormal move: up = shortage/surge, down = glut/collapse."""

    UP = "up"
    DOWN = "down"
    NONE = ""


LEVEL_CODE: dict[Level, int] = {
    Level.NO_DATA: -1,
    Level.NORMAL: 0,
    Level.BLUE: 1,
    Level.YELLOW: 2,
    Level.RED: 3,
}
CODE_LEVEL: dict[int, Level] = {code: level for level, code in LEVEL_CODE.items()}
WARNING_LEVELS: tuple[Level, ...] = (Level.BLUE, Level.YELLOW, Level.RED)
SCORE_CAP = 4.0

LEVEL_NAME_ZH: dict[Level, str] = {
    Level.NO_DATA: "无数据",
    Level.NORMAL: "正常",
    Level.BLUE: "蓝色",
    Level.YELLOW: "黄色",
    Level.RED: "红色",
}


def level_rank(level: Level | str) -> int:
    """Severity rank: no_data -1 < normal 0 < blue 1 < yellow 2 < red 3."""
    return LEVEL_CODE[Level(level)]


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
