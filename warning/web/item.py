"""What the item page shows: the proposal, the warning before and after, the indicators with
their values, the series that drives the proposal charted with its level bands and the
indicator against its thresholds, its recent periods, and the item's audit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from rules.ruleset import Rule
from vocabulary import ChangeKind, IndicatorKind, Level
from warning.audit import AuditView, entries
from warning.catalog.models import Series
from warning.catalog.observations import series_values
from warning.delivery.routing import targets
from warning.directory.models import Subscription
from warning.evaluation.models import Assessment, IndicatorAssessment
from warning.review.changes import standing_of
from warning.review.decisions import active_warning, get_item
from warning.review.models import MaterialWarning, ReviewItem
from warning.web import charts
from warning.web.i18n import LEVEL_NAMES
from warning.web.levels import LevelCache
from warning.web.words import Words

CHART_DAYS = 365
RECENT_PERIODS = 12
AUDIT_ROWS = 100


@dataclass(frozen=True)
class Standing:
    """A warning as it stands (or would stand): level, direction and text."""

    level: str
    direction: str
    text_zh: str
    text_en: str


@dataclass(frozen=True)
class RecentPeriod:
    period: date
    value: float
    change_pct: float | None
    suspect: bool


@dataclass(frozen=True)
class Recipient:
    """One delivery approving the item would make (as ``warning alerts dry-run`` lists)."""

    enterprise: str
    contact: str
    channel: str
    language: str
    subscription: Subscription


@dataclass(frozen=True)
class ItemView:
    item: ReviewItem
    assessment: Assessment | None
    indicators: list[IndicatorAssessment]
    driver: IndicatorAssessment | None
    series: Series | None
    before: Standing | None  # None: no active warning (normal)
    after: Standing | None  # None: the warning ends or none is made
    audit: list[AuditView]
    recent: list[RecentPeriod]
    chart: dict[str, Any]
    recipients: list[Recipient]


def item_view(
    session: Session, *, item_id: int, levels: LevelCache, words: Words, now: datetime
) -> ItemView:
    """Everything the item page shows at ``now`` (:class:`ItemNotFound` for an unknown id)."""
    item = get_item(session, item_id=item_id)
    assessment = session.scalar(
        select(Assessment)
        .where(Assessment.id == item.assessment_id)
        .options(selectinload(Assessment.indicators))
    )
    indicators = sorted(
        assessment.indicators if assessment else [],
        key=lambda row: (-(row.score or -1.0), row.indicator, row.series_id),
    )
    driver = _driver(item, indicators)
    series = _charted_series(session, item.material_id, driver)
    end = assessment.as_of if assessment else item.created_at.date()
    audit, _total = entries(session, review_item_id=item.id, limit=AUDIT_ROWS)
    recent = _recent(session, series, end)
    rule = _rule(levels, item.material_id, driver)
    chart = _chart(session, item, series, driver, rule, levels, words, end)
    return ItemView(
        item=item,
        assessment=assessment,
        indicators=indicators,
        driver=driver,
        series=series,
        before=_before(active_warning(session, material_id=item.material_id)),
        after=_after(item),
        audit=audit,
        recent=recent,
        chart=chart,
        recipients=_recipients(session, item, now=now),
    )


def _recipients(session: Session, item: ReviewItem, *, now: datetime) -> list[Recipient]:
    """Who the notice would reach if the item were approved now as it stands, by the
    routing's own rule (:func:`warning.delivery.routing.targets`): an end goes out at the
    ended warning's level and direction; a silenced item to nobody; an enterprise a silence
    mutes it for is left out."""
    ended = item.kind == ChangeKind.END
    level = item.from_level if ended else (item.final_level or item.level)
    direction = item.from_direction if ended else (item.final_direction or item.direction)
    if item.silenced or level is None or level in (Level.NORMAL, Level.NO_DATA):
        return []
    found = targets(
        session,
        material_id=item.material_id,
        level=Level(level),
        direction=direction or "",
        at=now,
    )
    return [
        Recipient(
            enterprise=t.contact.enterprise.name,
            contact=t.contact.name,
            channel=str(t.channel),
            language=t.contact.language,
            subscription=t.subscription,
        )
        for t in found
    ]


def _driver(item: ReviewItem, indicators: list[IndicatorAssessment]) -> IndicatorAssessment | None:
    """The indicator behind the proposal: the highest-scoring one in its direction."""
    scored = [row for row in indicators if row.score is not None and row.value is not None]
    agreeing = [row for row in scored if row.direction == item.direction]
    best = agreeing or scored
    return best[0] if best else None


def _charted_series(
    session: Session, material_id: str, driver: IndicatorAssessment | None
) -> Series | None:
    """The driver's series when it is a stored one, else the material's finest price series."""
    if driver is not None:
        stored = session.get(Series, driver.series_id)
        if stored is not None:
            return stored
    prices = session.scalars(
        select(Series).where(
            Series.material_id == material_id, Series.indicator == IndicatorKind.PRICE
        )
    ).all()
    order = "DWTMQY"
    return min(prices, key=lambda s: (order.index(s.frequency), s.id), default=None)


def _rule(levels: LevelCache, material_id: str, driver: IndicatorAssessment | None) -> Rule | None:
    if driver is None:
        return None
    return next(
        (r for r in levels.ruleset.rules_for(material_id) if r.name == driver.indicator), None
    )


def _recent(session: Session, series: Series | None, end: date) -> list[RecentPeriod]:
    if series is None:
        return []
    rows = series_values(session, series_id=series.id, until=end, limit=RECENT_PERIODS + 1)
    recent = []
    for (_, before, _), (period, value, suspect) in pairwise(rows):
        change = 100.0 * (value / before - 1.0) if before else None
        recent.append(RecentPeriod(period, value, change, suspect))
    return recent[::-1]


def _before(warning: MaterialWarning | None) -> Standing | None:
    if warning is None:
        return None
    standing = standing_of(warning)
    return Standing(standing.level, standing.direction, warning.text_zh, warning.text_en)


def _after(item: ReviewItem) -> Standing | None:
    """The warning if the item is approved as proposed (adjusted: as decided)."""
    level = item.final_level or item.level
    if item.kind == ChangeKind.END or level == Level.NORMAL:
        return None
    return Standing(
        str(level),
        str(item.final_direction or item.direction),
        item.final_text_zh or item.reasons_zh,
        item.final_text_en or item.reasons_en,
    )


def _chart(
    session: Session,
    item: ReviewItem,
    series: Series | None,
    driver: IndicatorAssessment | None,
    rule: Rule | None,
    levels: LevelCache,
    words: Words,
    end: date,
) -> dict[str, Any]:
    start = end - timedelta(days=CHART_DAYS)
    history = levels.get(session, material_id=item.material_id, start=start, end=end)
    values = series_values(session, series_id=series.id, until=end, since=start) if series else []
    gettext = words.formats.gettext
    chart: dict[str, Any] = {
        "asOf": end.isoformat(),
        "bands": charts.bands(history),
        "levels": charts.level_labels(gettext, LEVEL_NAMES),
        "series": {
            "name": words.series(series) if series else "",
            "unit": words.unit(series.unit) if series else "",
            "precision": charts.precision(v for _, v, _ in values),
            "points": charts.points([(d, v) for d, v, suspect in values if not suspect]),
        },
        "labels": {"bands": gettext("Level by the rule set"), "threshold": gettext("Threshold")},
    }
    if driver is not None and rule is not None:
        chart["indicator"] = charts.indicator_panel(history, rule, driver.series_id, gettext)
    return chart
