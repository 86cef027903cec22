"""Warning levels and directions, in Chinese warning practice: red is the most severe."""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class Level(StrEnum):
    """Warning level; red is the most severe, ``no_data`` is never read as normal."""

    NO_DATA = "no_data"
    NORMAL = "normal"
    BLUE = "blue"
    YELLOW = "yellow"
    RED = "red"


class Direction(StrEnum):
    """Direction of an abnormal move: up = shortage or surge, down = glut or collapse."""

    UP = "up"
    DOWN = "down"
    NONE = ""


# Severity order, least severe first: no_data -1 < normal 0 < blue 1 < yellow 2 < red 3.
_RANK: Final[dict[Level, int]] = {
    Level.NO_DATA: -1,
    Level.NORMAL: 0,
    Level.BLUE: 1,
    Level.YELLOW: 2,
    Level.RED: 3,
}
WARNING_LEVELS: Final[tuple[Level, ...]] = (Level.BLUE, Level.YELLOW, Level.RED)
LEVEL_NAMES_ZH: Final[dict[Level, str]] = {
    Level.NO_DATA: "无数据",
    Level.NORMAL: "正常",
    Level.BLUE: "蓝色",
    Level.YELLOW: "黄色",
    Level.RED: "红色",
}


def level_rank(level: Level | str) -> int:
    """Severity rank: no_data -1 < normal 0 < blue 1 < yellow 2 < red 3."""
    return _RANK[Level(level)]
