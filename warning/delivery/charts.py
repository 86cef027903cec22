"""Small charts for alerts: a material's headline price over the last year, as PNG bytes."""

from __future__ import annotations

import io
from datetime import date, timedelta

from sqlalchemy.orm import Session

from warning.catalog.observations import observation_frame
from warning.evaluation.board import MaterialLine


def price_chart(session: Session, *, line: MaterialLine, until: date) -> bytes | None:
    """The headline series of ``line`` over the year to ``until``; None without data."""
    if line.headline_series is None:
        return None
    return series_chart(session, series_id=line.headline_series, unit=line.unit, until=until)


def series_chart(
    session: Session, *, series_id: str, unit: str | None, until: date
) -> bytes | None:
    """``series_id`` over the year to ``until`` (a notice's data date); None without data."""
    frame = observation_frame(
        session, until=until, since=until - timedelta(days=366), series_id=series_id
    )
    if len(frame) < 2:
        return None
    import matplotlib  # imported here: it costs a second, and only senders need it

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(6.0, 2.2), dpi=100)
    try:
        axes.plot(frame["period"], frame["value"], color="#1f4e79", linewidth=1.2)
        axes.set_ylabel(unit or "")
        axes.grid(alpha=0.3)
        axes.tick_params(labelsize=8)
        figure.autofmt_xdate()
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    finally:
        pyplot.close(figure)
    return buffer.getvalue()
