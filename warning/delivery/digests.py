"""What a digest or bulletin says: the board, the changes of the period, the active warnings.

A daily digest covers one day (by default the desk's today, sent in the morning: the board
now, and what changed since yesterday); a weekly bulletin the Monday-to-Sunday week before the
given day; a monthly one the calendar month before it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts import Chart
from alerts.digest import ActiveWarning, BoardRow, Digest, DigestChange, DigestKind
from vocabulary import Direction, Level
from warning.catalog import Catalog
from warning.delivery.routing import NOTICE_OF
from warning.evaluation.board import material_lines
from warning.evaluation.runs import latest_assessments
from warning.review.models import MaterialWarning, WarningEvent
from warning.review.queries import active_warnings
from warning.store import aware


def period_of(kind: DigestKind, day: date) -> tuple[date, date]:
    """The first and last day a digest of ``kind`` sent on ``day`` covers."""
    if kind is DigestKind.DAILY:
        return day, day
    if kind is DigestKind.WEEKLY:
        monday = day - timedelta(days=day.weekday() + 7)
        return monday, monday + timedelta(days=6)
    last = day.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def build_digest(
    session: Session,
    *,
    catalog: Catalog,
    kind: DigestKind,
    day: date,
    zone: ZoneInfo,
    now: datetime,
    public_url: str,
    chart: Callable[[str], bytes | None],
) -> Digest:
    """The digest of ``kind`` sent on ``day`` (times of day in ``zone``, the desk's)."""
    start, end = period_of(kind, day)
    since = datetime.combine(
        start - timedelta(days=1 if kind is DigestKind.DAILY else 0), time(), zone
    )
    until = datetime.combine(end + timedelta(days=1), time(), zone)
    names = {m.id: (m.name_zh, m.name_en) for m in catalog.materials}
    return Digest(
        kind=kind,
        period_start=start,
        period_end=end,
        generated_at=now,
        board=_board(session, catalog, before=since.date()),
        changes=_changes(session, names, since=since, until=until, zone=zone),
        active=_active(session, names, public_url=public_url, chart=chart),
        link=f"{public_url}/",
    )


def _board(session: Session, catalog: Catalog, *, before: date) -> tuple[BoardRow, ...]:
    earlier = latest_assessments(session, as_of=before)
    rows = []
    for line in material_lines(session, catalog=catalog):
        previous = earlier.get(line.material)
        rows.append(
            BoardRow(
                material_id=line.material,
                material_zh=line.name_zh,
                material_en=line.name_en,
                level=Level(line.level or Level.NO_DATA),
                direction=Direction(line.direction or ""),
                latest_value=line.latest_value,
                latest_unit=line.unit or "",
                latest_date=line.latest_period,
                previous_level=Level(previous.level) if previous else None,
            )
        )
    return tuple(rows)


def _changes(
    session: Session,
    names: dict[str, tuple[str, str]],
    *,
    since: datetime,
    until: datetime,
    zone: ZoneInfo,
) -> tuple[DigestChange, ...]:
    rows = session.execute(
        select(WarningEvent, MaterialWarning)
        .join(MaterialWarning, MaterialWarning.id == WarningEvent.warning_id)
        .where(WarningEvent.at >= since, WarningEvent.at < until, WarningEvent.notify.is_(True))
        .order_by(WarningEvent.at, WarningEvent.id)
    ).tuples()
    changes = []
    for event, warning in rows:
        zh, en = names.get(warning.material_id, (warning.material_id, warning.material_id))
        at = aware(event.at)
        assert at is not None
        changes.append(
            DigestChange(
                material_id=warning.material_id,
                material_zh=zh,
                material_en=en,
                change=NOTICE_OF[event.kind],
                level=Level(event.level),
                direction=Direction(event.direction),
                on=at.astimezone(zone).date(),
            )
        )
    return tuple(changes)


def _active(
    session: Session,
    names: dict[str, tuple[str, str]],
    *,
    public_url: str,
    chart: Callable[[str], bytes | None],
) -> tuple[ActiveWarning, ...]:
    found = []
    for material, warning in sorted(active_warnings(session).items()):
        zh, en = names.get(material, (material, material))
        png = chart(material)
        started = aware(warning.started_at)
        assert started is not None
        found.append(
            ActiveWarning(
                warning_id=f"w{warning.id}",
                material_id=material,
                material_zh=zh,
                material_en=en,
                level=Level(warning.level),
                direction=Direction(warning.direction),
                since=started.date(),
                reasons_zh=tuple(line for line in warning.text_zh.splitlines() if line),
                reasons_en=tuple(line for line in warning.text_en.splitlines() if line),
                link=f"{public_url}/materials/{material}",
                chart=Chart(png=png, alt=f"{zh} / {en}") if png else None,
            )
        )
    return tuple(found)
