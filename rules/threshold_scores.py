"""From indicator values to scores on the shared 0-4 scale (1 blue, 2 yellow, 3 red).

Scores are piecewise linear between thresholds, so a value halfway between the yellow and red
thresholds scores 2.5. Below the least severe threshold the score falls to 0 over one
threshold gap; above the most severe it rises to the cap of 4 at the same pace. Hysteresis
works on this scale ("below the yellow threshold by half a level").
"""

from __future__ import annotations

import numpy as np

from rules.levels import SCORE_CAP, WARNING_LEVELS
from rules.ruleset import Thresholds


def score_side(values: np.ndarray, th: Thresholds | None, side: str) -> np.ndarray:
    """Score of ``values`` against one side's thresholds; NaN stays NaN."""
    values = np.asarray(values, dtype=float)
    if th is None or not th.points():
        return np.where(np.isnan(values), np.nan, 0.0)
    xp, fp, sign = _nodes(th, side)
    cap = fp[-1]
    out = np.interp(sign * values, xp, fp, left=0.0, right=cap)
    out[np.isnan(values)] = np.nan
    return out


def value_at_score(th: Thresholds | None, side: str, score: float) -> float | None:
    """The value that scores ``score`` on one side (the inverse of :func:`score_side`).

    E.g. the value a held yellow must stay beyond for its release steps to count (score
    2 - margin). ``None`` without thresholds or when the score is outside the scale.
    """
    if th is None or not th.points():
        return None
    xp, fp, sign = _nodes(th, side)
    if not fp[0] <= score <= fp[-1]:
        return None
    return float(sign * np.interp(score, fp, xp))


def _nodes(th: Thresholds, side: str) -> tuple[list[float], list[float], float]:
    """Interpolation nodes (signed values, scores) of one side's thresholds, and the sign."""
    sign = 1.0 if side == "up" else -1.0
    codes = [float(c) for c, _ in th.points()]
    ts = [sign * t for _, t in th.points()]
    gap_first = (ts[1] - ts[0]) / (codes[1] - codes[0]) if len(ts) > 1 else _default_gap(ts[0])
    gap_last = (ts[-1] - ts[-2]) / (codes[-1] - codes[-2]) if len(ts) > 1 else gap_first
    xp = [ts[0] - gap_first]
    fp = [0.0]
    if codes[0] > 1:  # no blue threshold: nothing below the first level reaches blue
        xp.append(ts[0] - 1e-9 * max(1.0, abs(ts[0])))
        fp.append(0.999)
    xp += ts
    fp += codes
    # a rule without the more severe levels can never reach them
    cap = SCORE_CAP if codes[-1] >= 3 else codes[-1] + 0.999
    xp.append(ts[-1] + gap_last * (cap - codes[-1]))
    fp.append(cap)
    return xp, fp, sign


def _default_gap(t: float) -> float:
    return abs(t) * 0.25 if t != 0 else 1.0


def threshold_text(up: Thresholds | None, down: Thresholds | None, unit: str = "") -> str:
    """Thresholds as compact text, e.g. ``up: blue 10%, yellow 15%, red 30%; down: ...``."""
    parts = []
    for side, th in (("up", up), ("down", down)):
        if th is None:
            continue
        vals = ", ".join(f"{WARNING_LEVELS[c - 1]} {fmt_number(t)}{unit}" for c, t in th.points())
        parts.append(f"{side}: {vals}")
    return "; ".join(parts)


def fmt_number(x: float) -> str:
    """Readable number: thousands separators for big values, few decimals for small ones."""
    if x != x:
        return "n/a"
    ax = abs(x)
    if ax >= 1000:
        return f"{x:,.0f}"
    if ax >= 10:
        return f"{x:.0f}"
    if ax >= 1:
        return f"{x:.1f}".rstrip("0").rstrip(".")
    return f"{x:.2f}".rstrip("0").rstrip(".") or "0"


def fmt_numbers(values: np.ndarray) -> np.ndarray:
    """:func:`fmt_number` of every value, as an object array (each distinct rounded value is
    formatted once)."""
    texts, inverse = distinct_numbers(values)
    return texts[inverse]


def distinct_numbers(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct :func:`fmt_number` texts of ``values`` and, per value, the index of its
    text: values that print the same are one entry."""
    v = np.asarray(values, dtype=float).ravel()
    if v.size == 0:
        return np.empty(0, dtype=object), np.empty(0, dtype=np.int64)
    a = np.abs(v)
    rounded = np.where(a >= 10, np.round(v), np.where(a >= 1, np.round(v, 1), np.round(v, 2)))
    rounded = np.where(rounded == 0, 0.0, rounded)  # no "-0"
    unique, inverse = np.unique(rounded, return_inverse=True)
    texts = np.array([fmt_number(float(x)) for x in unique], dtype=object)
    return texts, inverse.ravel()
