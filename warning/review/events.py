"""The warning event as decided: a snapshot of everything a message will show of a change.

Written by :mod:`warning.review.decisions` in the decision's own transaction. Delivery renders
its messages from this row alone, so a message sent after a newer evaluation moved the board
still shows the warning as it was decided.

The statements are the rules' reasons of the assessment behind the item, one per line
(``rules.explain.STATEMENT_SEP``), stored as JSON arrays; an adjustment by the desk replaces
the rules' first statement (which names the proposed level) by the desk's own, and an adjusted
text replaces them all.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vocabulary import LEVEL_NAMES_ZH, ChangeKind, Level
from warning.evaluation.board import headline_value
from warning.evaluation.models import Assessment
from warning.review.changes import Standing
from warning.review.models import MaterialWarning, ReviewItem, WarningEvent

ARROWS = {"up": "↑", "down": "↓"}


def statements(text: str | None) -> tuple[str, ...]:
    """The statements of a reason text: one per line (never split on punctuation)."""
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def stored_statements(event: WarningEvent, language: str) -> tuple[str, ...] | None:
    """The event's statements in ``language`` (``zh``/``en``); None for an event recorded
    before events carried them."""
    raw = event.statements_zh if language == "zh" else event.statements_en
    return None if raw is None else tuple(json.loads(raw))


def make_event(
    session: Session,
    *,
    item: ReviewItem,
    warning: MaterialWarning,
    kind: ChangeKind,
    final: Standing,
    previous: Standing,
    notify: bool,
    now: datetime,
) -> WarningEvent:
    """The event of ``item``'s approved change of ``warning`` (not yet added)."""
    assessment = session.get(Assessment, item.assessment_id)
    zh, en = _statements(item, final)
    as_of = assessment.as_of if assessment is not None else None
    value = headline_value(session, material_id=item.material_id, as_of=as_of) if as_of else None
    ended = kind is ChangeKind.END
    since = _since_of_ended(session, warning) if ended else _level_since(assessment, now)
    return WarningEvent(
        warning_id=warning.id,
        review_item_id=item.id,
        kind=kind,
        level=final.level,
        direction=final.direction,
        previous_level=previous.level,
        previous_direction=previous.direction,
        at=now,
        notify=notify,
        basis=assessment.basis if assessment is not None else None,
        statements_zh=json.dumps(list(zh), ensure_ascii=False),
        statements_en=json.dumps(list(en), ensure_ascii=False),
        data_as_of=as_of,
        level_since=since,
        value=value.value if value else None,
        value_unit=value.unit if value else None,
        value_period=value.period if value else None,
        value_series_id=value.series_id if value else None,
        adjusted=item.final_level is not None,
    )


def _statements(item: ReviewItem, final: Standing) -> tuple[Sequence[str], Sequence[str]]:
    """The rules' statements, or the desk's where it adjusted the item."""
    if item.final_text_zh or item.final_text_en:
        return (
            statements(item.final_text_zh or item.reasons_zh),
            statements(item.final_text_en or item.reasons_en),
        )
    zh, en = statements(item.reasons_zh), statements(item.reasons_en)
    proposed = Standing.of(item.level, item.direction)
    if item.final_level is None or final == proposed:
        return zh, en
    reason = (item.comment or "").strip()
    desk_zh = (
        f"分析员将指标提示的{_zh(proposed)}调整为{_zh(final)}"
        + (f"：{reason}" if reason else "")
        + "。"
    )
    desk_en = (
        f"The desk adjusted the indicators' {_en(proposed)} to {_en(final)}"
        + (f": {reason}" if reason else "")
        + "."
    )
    return (desk_zh, *zh[1:]), (desk_en, *en[1:])


def _zh(standing: Standing) -> str:
    return LEVEL_NAMES_ZH[standing.level] + ARROWS.get(str(standing.direction), "")


def _en(standing: Standing) -> str:
    arrow = ARROWS.get(str(standing.direction), "")
    return f"{standing.level.value}{' ' + arrow if arrow else ''}"


def _level_since(assessment: Assessment | None, now: datetime) -> date:
    if assessment is not None and assessment.level_since is not None:
        return assessment.level_since
    return assessment.as_of if assessment is not None else now.date()


def _since_of_ended(session: Session, warning: MaterialWarning) -> date | None:
    """The day the ending warning's level stood since: its newest event's, or its start."""
    since = session.scalar(
        select(WarningEvent.level_since)
        .where(
            WarningEvent.warning_id == warning.id,
            WarningEvent.level_since.is_not(None),
            WarningEvent.level != Level.NORMAL,
        )
        .order_by(WarningEvent.id.desc())
        .limit(1)
    )
    if since is not None:
        return since
    return warning.started_at.date() if warning.started_at else None
