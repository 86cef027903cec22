"""A warning's own public page: what the "details" link of every message opens.

No account: the signed token in the link is the proof (:mod:`alerts.public_link`). It opens
that one warning only (its latest decided event, its chart with the level lines, its reasons
and advice), nothing of any other warning and nothing of the directory. A link opens for
``WARNING_PUBLIC_LINK_DAYS`` days from when it was issued, and an operator can revoke every
link to a warning issued so far (``warning alerts revoke-links --warning ID``, audited).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts import WarningEvent
from alerts.public_link import read_warning_token
from vocabulary import Direction, Level
from warning.audit import record
from warning.delivery.messages import AdviceSource, ChartSource, decided_event
from warning.delivery.routing import NOTICE_OF
from warning.review.lifecycle import ItemNotFound
from warning.review.models import MaterialWarning
from warning.review.models import WarningEvent as ReviewEvent
from warning.review.states import ChangeKind
from warning.store import aware


@dataclass(frozen=True)
class PublicWarning:
    """What the public page shows: the warning as last decided."""

    event: WarningEvent  # an ended warning's last decided change is its end: the page says so


def open_public_warning(
    session: Session,
    token: str,
    *,
    secret: str,
    now: datetime,
    days: int,
    chart: ChartSource,
    advice: AdviceSource,
    prices: bool = True,
) -> PublicWarning | None:
    """The warning a valid, unexpired, unrevoked link opens; None for any other token."""
    read = read_warning_token(token, secret)
    if read is None:
        return None
    warning_id, issued = read
    if issued > now or now >= issued + timedelta(days=days):
        return None  # issued in the future (a forged clock) or expired: exactly at the end
    warning = session.get(MaterialWarning, warning_id)
    if warning is None:
        return None
    revoked = aware(warning.links_revoked_at)
    if revoked is not None and issued <= revoked:
        return None
    decided = session.scalar(
        select(ReviewEvent)
        .where(ReviewEvent.warning_id == warning.id)
        .order_by(ReviewEvent.id.desc())
        .limit(1)
    )
    if decided is None:
        return None
    event = decided_event(
        session,
        decided=decided,
        warning=warning,
        change=NOTICE_OF[ChangeKind(decided.kind)],  # the warning's last decided change
        level=Level(warning.level),
        direction=Direction(warning.direction),
        event_id=f"e{decided.id}",
        link="",
        chart=chart,
        advice=advice,
        previous_level=None,
        prices=prices,
    )
    return PublicWarning(event)


def revoke_links(session: Session, *, warning_id: int, actor: str, now: datetime) -> date:
    """Every link to warning ``warning_id`` issued until ``now`` stops opening (audited)."""
    warning = session.get(MaterialWarning, warning_id)
    if warning is None:
        raise ItemNotFound(f"no warning {warning_id}")
    warning.links_revoked_at = now
    session.flush()
    record(
        session,
        at=now,
        actor=actor,
        action="public_links_revoked",
        material_id=warning.material_id,
        warning_id=warning.id,
        subject=f"warning:{warning.id}",
    )
    return now.date()
