"""Small charts for alerts, digests and bulletins: a material's headline price over the last
year, as PNG bytes.

:func:`price_chart` is the plain line. :func:`level_chart` adds the level lines (the prices
at which the rule set's first price-change rule for the series' frequency reaches each
threshold, from the price one horizon before the latest), and returns what the chart shows
(:class:`~alerts.digest.ChartInfo`) for its title and caption, which the document writes in
its own language: the image itself carries only numbers and the unit.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from alerts.digest import ChartInfo, LevelLine
from alerts.labels import LEVEL_COLOURS, format_value
from rules.ruleset import Rule
from vocabulary import Direction, IndicatorKind, Level
from warning.catalog.observations import observation_frame
from warning.evaluation.board import MaterialLine


@dataclass(frozen=True)
class LevelChart:
    """A chart's PNG and what it shows."""

    png: bytes
    info: ChartInfo


def price_chart(session: Session, *, line: MaterialLine, until: date) -> bytes | None:
    """The headline series of ``line`` over the year to ``until``; None without data."""
    frame = _headline_frame(session, line, until)
    if frame is None:
        return None
    return _draw(frame, unit=line.unit or "", lines=())


def level_chart(
    session: Session, *, line: MaterialLine, until: date, rules: list[Rule]
) -> LevelChart | None:
    """The headline series of ``line`` over the year to ``until`` with its level lines
    (``rules``: the material's rules); None without data."""
    if line.headline_series is None:
        return None
    return series_level_chart(
        session, series_id=line.headline_series, unit=line.unit, until=until, rules=rules
    )


def series_level_chart(
    session: Session, *, series_id: str, unit: str | None, until: date, rules: list[Rule]
) -> LevelChart | None:
    """``series_id`` over the year to ``until`` with the level lines of ``rules``; None
    without data."""
    frame = _frame(session, series_id, until)
    if frame is None:
        return None
    frequency = str(frame["frequency"].iloc[-1])
    info = chart_info(
        [p.date() if hasattr(p, "date") else p for p in frame["period"]],
        [float(v) for v in frame["value"]],
        unit=unit or "",
        frequency=frequency,
        rules=rules,
    )
    return LevelChart(_draw(frame, unit=info.unit, lines=info.lines), info)


def chart_info(
    periods: list[date], values: list[float], *, unit: str, frequency: str, rules: list[Rule]
) -> ChartInfo:
    """What a chart of ``values`` (one per period, oldest first) shows: its unit and dates,
    and the level lines of the first signal rule of detector ``change`` on prices that
    applies to ``frequency``: the base is the value ``periods`` observations (or the last
    value ``days`` days) before the latest, and each threshold ``t`` % draws a line at
    ``base * (1 + t / 100)``. No rule, or a history shorter than its horizon: no lines."""
    info = ChartInfo(unit=unit, first=periods[0], last=periods[-1])
    rule = next((r for r in rules if _draws_lines(r, frequency)), None)
    if rule is None:
        return info
    rows, days = int(rule.params.get("periods") or 0), int(rule.params.get("days") or 0)
    base_index = _base_index(periods, rows=rows, days=days)
    if base_index is None or values[base_index] == 0:
        return info
    base = values[base_index]
    lines = []
    for direction, thresholds in ((Direction.UP, rule.up), (Direction.DOWN, rule.down)):
        if thresholds is None:
            continue
        for level in (Level.BLUE, Level.YELLOW, Level.RED):
            percent = getattr(thresholds, level.value)
            if percent is not None:
                lines.append(LevelLine(level, direction, base * (1 + percent / 100.0)))
    return ChartInfo(
        unit=unit,
        first=periods[0],
        last=periods[-1],
        lines=tuple(lines),
        base_value=base,
        base_date=periods[base_index],
        horizon_rows=rows,
        horizon_days=days,
        daily=frequency == "D",
    )


def _draws_lines(rule: Rule, frequency: str) -> bool:
    return (
        rule.detector == "change"
        and rule.indicator == IndicatorKind.PRICE
        and rule.role == "signal"
        and not rule.invert
        and frequency in rule.frequencies
        and bool(rule.params.get("periods") or rule.params.get("days"))
    )


def _base_index(periods: list[date], *, rows: int, days: int) -> int | None:
    last = len(periods) - 1
    if rows:
        return last - rows if last - rows >= 0 else None
    cutoff = periods[-1] - timedelta(days=days)
    earlier = [index for index, period in enumerate(periods) if period <= cutoff]
    return earlier[-1] if earlier else None


def _headline_frame(session: Session, line: MaterialLine, until: date) -> pd.DataFrame | None:
    if line.headline_series is None:
        return None
    return _frame(session, line.headline_series, until)


def _frame(session: Session, series_id: str, until: date) -> pd.DataFrame | None:
    frame = observation_frame(
        session, until=until, since=until - timedelta(days=366), series_id=series_id
    )
    return frame if len(frame) >= 2 else None


def series_chart(
    session: Session, *, series_id: str, unit: str | None, until: date
) -> bytes | None:
    """``series_id`` over the year to ``until`` (a notice's data date); None without data."""
    frame = _frame(session, series_id, until)
    return None if frame is None else _draw(frame, unit=unit or "", lines=())


def _draw(frame: pd.DataFrame, *, unit: str, lines: tuple[LevelLine, ...]) -> bytes:
    import matplotlib  # imported here: it costs a second, and only senders need it

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(6.0, 2.6 if lines else 2.2), dpi=100)
    try:
        axes.plot(frame["period"], frame["value"], color="#1f4e79", linewidth=1.2)
        for line in lines:
            _level_line(axes, line)
        axes.set_ylabel(unit)
        axes.grid(alpha=0.3)
        axes.tick_params(labelsize=8)
        figure.autofmt_xdate()
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    finally:
        pyplot.close(figure)
    return buffer.getvalue()


def _level_line(axes: Any, line: LevelLine) -> None:
    colour = LEVEL_COLOURS[line.level]
    axes.axhline(line.value, color=colour, linestyle="--", linewidth=0.9)
    axes.annotate(
        format_value(line.value),
        xy=(1.0, line.value),
        xycoords=("axes fraction", "data"),
        xytext=(2, 0),
        textcoords="offset points",
        va="center",
        fontsize=7,
        color=colour,
    )
