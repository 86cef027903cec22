"""The reported aggregates as a reader may see them, the API's and the web's alike.

The desk (operators, admins) sees every aggregate whole; anyone else only those of at least
:data:`~warning.reporting.aggregation.MIN_REPORTERS` enterprises, without the sum and the
like-for-like change (:meth:`Aggregate.outside_desk`). A desk read that shows an aggregate
of fewer enterprises is as good as a read of their figures: it is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from warning.audit import record
from warning.reporting.aggregation import Aggregate, aggregates
from warning.reporting.forms import Forms


def aggregates_for(
    session: Session,
    *,
    forms: Forms,
    min_coverage: float,
    desk: bool,
    material: str | None = None,
    period: str | None = None,
) -> list[Aggregate]:
    """The aggregates this reader may see, whole for the desk, filtered by material and
    period."""
    return [
        found if desk else found.outside_desk()
        for found in aggregates(session, forms=forms, min_coverage=min_coverage)
        if (desk or found.shown_outside_desk)
        and (material is None or found.material == material)
        and (period is None or found.period == period)
    ]


def audit_withheld_read(
    session: Session, shown: Sequence[Aggregate], *, actor: str, now: datetime
) -> None:
    """Record a read that showed aggregates of fewer than three enterprises (the desk's)."""
    few = [f"{a.field}:{a.period}" for a in shown if not a.shown_outside_desk]
    if few:
        record(
            session,
            at=now,
            actor=actor,
            action="report_aggregates_read",
            subject="report-aggregates",
            after={"fewer_than_three": few},
        )
