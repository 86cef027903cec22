"""``warning review``: the review queue from a terminal, acting as a named user.

A refused move (deciding a decided item, a snooze in the past) prints why and exits 1,
changing nothing; an unknown item or user, or a bad option, exits 2.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from vocabulary import Direction, Level
from warning import clock
from warning.accounts import AccountError, is_desk
from warning.accounts.service import get_user
from warning.audit import entries
from warning.cli.edge import LIMIT, ROW_ID
from warning.cli.output import console, fail, service_context
from warning.clock import desk_zone
from warning.review import decisions
from warning.review.models import ReviewItem
from warning.review.queries import list_items
from warning.review.states import ItemState
from warning.store import aware, read_only, transaction

review_app = typer.Typer(
    help="The review queue: list, show, and decide items.", no_args_is_help=True
)
As = Annotated[str, typer.Option("--as", help="act as this user (an operator or admin)")]
ItemId = Annotated[int, typer.Argument(help="the review item's id", **ROW_ID)]


@review_app.command("list")
def review_list(
    state: Annotated[
        ItemState | None, typer.Option("--state", help="pending (default), snoozed, approved...")
    ] = ItemState.PENDING,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per line")] = False,
    limit: Annotated[int, typer.Option("--limit", **LIMIT)] = 100,
) -> None:
    """Items sorted as the queue is worked: escalated first, then severity, then age."""
    context = service_context()
    with read_only(context.factory) as session:
        items, total = list_items(session, state=state, limit=limit)
    if as_json:
        for item in items:
            typer.echo(json.dumps(_item_json(item), ensure_ascii=False))
        return
    zone = desk_zone(context.settings)
    table = Table(title=f"Review items ({state or 'all'}): {len(items)} of {total}")
    for header in ("id", "material", "change", "from", "to", "state", "since", "deadline"):
        table.add_column(header)
    for item in items:
        deadline = aware(item.deadline_at)
        table.add_row(
            str(item.id),
            (item.material_id),
            str(item.kind),
            _standing(item.from_level, item.from_direction),
            _standing(item.level, item.direction),
            f"{item.state}{' (overdue)' if item.overdue else ''}",
            f"{aware(item.created_at).astimezone(zone):%Y-%m-%d %H:%M}",  # type: ignore[union-attr]
            f"{deadline.astimezone(zone):%Y-%m-%d %H:%M}" if deadline else "",
        )
    console.print(table)


@review_app.command("show")
def review_show(item_id: ItemId) -> None:
    """One item: the proposal, its reasons, the decision, and its audit."""
    context = service_context()
    with read_only(context.factory) as session:
        item = decisions.get_item(session, item_id=item_id)
        history, _total = entries(session, review_item_id=item_id)
    for key, value in _item_json(item).items():
        console.print(f"{key}: {value!s}")
    console.print("audit:")
    for entry in reversed(history):
        note = f" - {entry.comment}" if entry.comment else ""
        console.print(
            (f"  {entry.at:%Y-%m-%d %H:%M} {entry.actor} {entry.action}{note}"),
        )


@review_app.command("approve")
def review_approve(
    item_id: ItemId,
    actor: As,
    comment: Annotated[str | None, typer.Option("--comment")] = None,
) -> None:
    """Approve the proposal: the warning is made, updated or resolved."""
    _act(
        actor,
        "approved",
        lambda session, now: decisions.approve(
            session, item_id=item_id, actor=actor, comment=comment, now=now
        ),
    )


@review_app.command("reject")
def review_reject(
    item_id: ItemId,
    actor: As,
    reason: Annotated[str, typer.Option("--reason", help="why (required)")],
) -> None:
    """Reject the proposal; the warning stays as it is."""
    _act(
        actor,
        "rejected",
        lambda session, now: decisions.reject(
            session, item_id=item_id, actor=actor, reason=reason, now=now
        ),
    )


@review_app.command("adjust")
def review_adjust(
    item_id: ItemId,
    actor: As,
    reason: Annotated[str, typer.Option("--reason", help="why (required)")],
    level: Annotated[Level | None, typer.Option("--level")] = None,
    direction: Annotated[Direction | None, typer.Option("--direction")] = None,
    text_zh: Annotated[str | None, typer.Option("--text-zh")] = None,
    text_en: Annotated[str | None, typer.Option("--text-en")] = None,
) -> None:
    """Approve with a changed level, direction or text."""
    _act(
        actor,
        "adjusted and approved",
        lambda session, now: decisions.adjust(
            session,
            item_id=item_id,
            actor=actor,
            reason=reason,
            now=now,
            level=level,
            direction=direction,
            text_zh=text_zh,
            text_en=text_en,
        ),
    )


@review_app.command("snooze")
def review_snooze(
    item_id: ItemId,
    actor: As,
    until: Annotated[
        str, typer.Option("--until", help="ISO time; without an offset, in WARNING_TIMEZONE")
    ],
    comment: Annotated[str | None, typer.Option("--comment")] = None,
) -> None:
    """Put the item aside until a later time."""
    context = service_context()
    moment = _parse_time(until, context.settings.timezone)
    _act(
        actor,
        f"snoozed until {moment:%Y-%m-%d %H:%M %Z}",
        lambda session, now: decisions.snooze(
            session, item_id=item_id, actor=actor, until=moment, comment=comment, now=now
        ),
    )


def _act(actor: str, done: str, move: Callable[[Session, datetime], ReviewItem]) -> None:
    context = service_context()
    with transaction(context.factory) as session:
        _check_operator(session, actor)
        item = move(session, clock.now())
        item_id, warning_id = item.id, item.warning_id
    tail = f"; warning {warning_id}" if warning_id else ""
    console.print(f"review item {item_id} {done}{tail}")


def _check_operator(session: Session, name: str) -> None:
    user = get_user(session, name=name)
    if user.disabled:
        raise AccountError(f"user {name!r} is disabled")
    if not is_desk(user.role):
        raise AccountError(f"user {name!r} is a {user.role}; deciding items needs an operator")


def _parse_time(text: str, zone: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise fail(
            f"--until: expected an ISO time such as 2026-12-02T09:00, got {text!r}"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment


def _standing(level: str, direction: str) -> str:
    arrow = {"up": "↑", "down": "↓"}.get(direction, "")
    return f"{level}{arrow}"


def _item_json(item: ReviewItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "material": item.material_id,
        "state": str(item.state),
        "kind": str(item.kind),
        "from": _standing(item.from_level, item.from_direction),
        "to": _standing(item.level, item.direction),
        "reasons_zh": item.reasons_zh,
        "reasons_en": item.reasons_en,
        "created_at": _iso(item.created_at),
        "deadline_at": _iso(item.deadline_at),
        "overdue": item.overdue,
        "snoozed_until": _iso(item.snoozed_until),
        "decided_by": item.decided_by,
        "decided_at": _iso(item.decided_at),
        "comment": item.comment,
        "warning_id": item.warning_id,
    }


def _iso(moment: datetime | None) -> str | None:
    value = aware(moment)
    return value.isoformat() if value else None
