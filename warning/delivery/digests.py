"""What a digest or bulletin says: the warnings in force as reviewed, the changes of the
period, each warning with its reasons, meaning, suggested actions and chart.

A daily digest covers one day (by default the desk's today, sent in the morning: the board
now, and what changed since yesterday); a weekly bulletin the Monday-to-Sunday week before the
given day; a monthly one the calendar month before it.

Levels are the analysts': the board and the counts are the active warnings
(``MaterialWarning``), the level at the start of the period is replayed from the approved
warning events before it, and the changes are the approved events in the period (muted ones
too: the board moved). A material whose proposal was rejected keeps the warning in force
(none, if it had none). What the indicators alone say (the newest assessment) travels as
``indicator_levels``, shown only in the desk's copy under its own label.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts import Chart
from alerts.digest import (
    ActiveWarning,
    BoardRow,
    ChartInfo,
    Digest,
    DigestChange,
    DigestKind,
    IndicatorLevel,
    Issuer,
)
from vocabulary import WARNING_LEVELS, ChangeKind, Direction, Level
from warning.catalog import Catalog
from warning.catalog.advice import DIRECTIONS, advice_for
from warning.delivery.issuer import bulletin_number
from warning.delivery.routing import NOTICE_OF
from warning.evaluation.board import MaterialLine, material_lines
from warning.evaluation.models import Assessment
from warning.review.models import MaterialWarning, ReviewItem, WarningEvent
from warning.review.queries import active_warnings
from warning.store import aware

ChartMaker = Callable[[str], tuple[bytes, ChartInfo | None] | None]


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
    chart: ChartMaker,
    issuer: Issuer | None = None,
    doc_prefix: str = "",
    prices: bool = True,
) -> Digest:
    """The digest of ``kind`` sent on ``day`` (times of day in ``zone``, the desk's);
    ``chart(material)`` gives a chart's PNG and what it shows, or None. With ``doc_prefix``
    the digest carries its document number (:func:`~warning.delivery.issuer.bulletin_number`).
    Without ``prices`` the board's rows carry no latest value (``WARNING_MESSAGE_PRICES``).
    """
    start, end = period_of(kind, day)
    since = datetime.combine(
        start - timedelta(days=1 if kind is DigestKind.DAILY else 0), time(), zone
    )
    until = datetime.combine(end + timedelta(days=1), time(), zone)
    names = catalog.names()
    lines = material_lines(session, catalog=catalog)
    in_force = active_warnings(session)
    since_of = standing_since(session, in_force, zone)
    dates = [line.latest_period for line in lines if line.latest_period is not None]
    return Digest(
        kind=kind,
        period_start=start,
        period_end=end,
        generated_at=now,
        board=_board(
            lines,
            in_force,
            before=in_force_at(session, since),
            since_of=since_of,
            sectors=catalog.sector_names,
            prices=prices,
        ),
        changes=_changes(session, names, since=since, until=until, zone=zone),
        active=_active(
            catalog, names, in_force, public_url=public_url, chart=chart, since_of=since_of
        ),
        link=f"{public_url}/",
        issuer=issuer,
        document_number=bulletin_number(doc_prefix, kind, start) if doc_prefix else "",
        data_as_of=max(dates) if dates else None,
        indicator_levels=_indicator_levels(lines),
    )


def in_force_at(session: Session, moment: datetime) -> dict[str, Level]:
    """Each material's warning level in force just before ``moment``, replayed from the
    approved warning events (materials without one are absent)."""
    rows = session.execute(
        select(MaterialWarning.material_id, WarningEvent.kind, WarningEvent.level)
        .join(MaterialWarning, MaterialWarning.id == WarningEvent.warning_id)
        .where(WarningEvent.at < moment)
        .order_by(WarningEvent.at, WarningEvent.id)
    ).tuples()
    levels: dict[str, Level] = {}
    for material, kind, level in rows:
        if kind is ChangeKind.END:
            levels.pop(material, None)
        else:
            levels[material] = Level(level)
    return levels


def standing_since(
    session: Session, in_force: dict[str, MaterialWarning], zone: ZoneInfo
) -> dict[int, date]:
    """Since when each warning in force stands at its level: the date the assessment behind
    its latest approved change gives (``level_since``), when the analysts approved that
    level as proposed; else (an adjusted level, or no date) the day of the decision."""
    ids = [warning.id for warning in in_force.values()]
    if not ids:
        return {}
    rows = session.execute(
        select(WarningEvent, ReviewItem, Assessment.level_since)
        .join(ReviewItem, ReviewItem.id == WarningEvent.review_item_id)
        .join(Assessment, Assessment.id == ReviewItem.assessment_id)
        .where(WarningEvent.warning_id.in_(ids), WarningEvent.kind != ChangeKind.END)
        .order_by(WarningEvent.id)
    ).tuples()
    since: dict[int, date] = {}
    for event, item, level_since in rows:
        as_proposed = (event.level, event.direction) == (item.level, item.direction)
        since[event.warning_id] = (
            level_since if as_proposed and level_since else _local_day(event.at, zone)
        )
    return since


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    at = aware(moment)
    assert at is not None
    return at.astimezone(zone).date()


def _board(
    lines: list[MaterialLine],
    in_force: dict[str, MaterialWarning],
    *,
    before: dict[str, Level],
    since_of: dict[int, date],
    sectors: Callable[[str], tuple[str, str]],
    prices: bool,
) -> tuple[BoardRow, ...]:
    rows = []
    for line in lines:
        warning = in_force.get(line.material)
        sector_zh, sector_en = sectors(line.sector)
        rows.append(
            BoardRow(
                material_id=line.material,
                material_zh=line.name_zh,
                material_en=line.name_en,
                level=Level(warning.level) if warning else Level.NORMAL,
                direction=Direction(warning.direction) if warning else Direction.NONE,
                latest_value=line.latest_value if prices else None,
                latest_unit=line.unit or "",
                latest_date=line.latest_period,
                previous_level=before.get(line.material, Level.NORMAL),
                since=since_of.get(warning.id) if warning else None,
                sector_zh=sector_zh,
                sector_en=sector_en,
            )
        )
    return tuple(rows)


def _indicator_levels(lines: list[MaterialLine]) -> tuple[IndicatorLevel, ...]:
    return tuple(
        IndicatorLevel(
            material_id=line.material,
            material_zh=line.name_zh,
            material_en=line.name_en,
            level=Level(line.level),
            direction=Direction(line.direction or ""),
            as_of=line.assessed_as_of,
        )
        for line in lines
        if line.level is not None
    )


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
        .where(WarningEvent.at < until)
        .order_by(WarningEvent.at, WarningEvent.id)
    ).tuples()
    last_level: dict[int, Level] = {}  # each warning's level before the event at hand
    changes = []
    for event, warning in rows:
        previous = last_level.get(warning.id)
        ended = event.kind is ChangeKind.END
        if not ended:
            last_level[warning.id] = Level(event.level)
        at = aware(event.at)
        assert at is not None
        if at < since:
            continue
        zh, en = names.get(warning.material_id, (warning.material_id, warning.material_id))
        changes.append(
            DigestChange(
                material_id=warning.material_id,
                material_zh=zh,
                material_en=en,
                change=NOTICE_OF[event.kind],
                # an end is named by the warning it ended
                level=(previous or Level(warning.level)) if ended else Level(event.level),
                direction=Direction(warning.direction) if ended else Direction(event.direction),
                on=at.astimezone(zone).date(),
                previous_level=None if ended else previous,
            )
        )
    return tuple(changes)


def _active(
    catalog: Catalog,
    names: dict[str, tuple[str, str]],
    in_force: dict[str, MaterialWarning],
    *,
    public_url: str,
    chart: ChartMaker,
    since_of: dict[int, date],
) -> tuple[ActiveWarning, ...]:
    found = []
    for material, warning in sorted(in_force.items()):
        zh, en = names.get(material, (material, material))
        level, direction = Level(warning.level), Direction(warning.direction)
        advice = (
            advice_for(catalog, material, level, direction)
            if level in WARNING_LEVELS and direction in DIRECTIONS
            else None
        )
        drawn = chart(material)
        found.append(
            ActiveWarning(
                warning_id=f"w{warning.id}",
                material_id=material,
                material_zh=zh,
                material_en=en,
                level=level,
                direction=direction,
                since=since_of.get(warning.id) or warning.started_at.date(),
                reasons_zh=tuple(line for line in warning.text_zh.splitlines() if line),
                reasons_en=tuple(line for line in warning.text_en.splitlines() if line),
                link=f"{public_url}/materials/{material}",
                chart=Chart(png=drawn[0], alt=f"{zh} / {en}") if drawn else None,
                chart_info=drawn[1] if drawn else None,
                meaning_zh=advice.meaning_zh if advice else "",
                meaning_en=advice.meaning_en if advice else "",
                actions_zh=advice.actions_zh if advice else (),
                actions_en=advice.actions_en if advice else (),
            )
        )
    return tuple(found)
