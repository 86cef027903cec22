"""The audit and history, ``/audit``: every audit entry as a sentence in the page's
language, newest first, filtered by material, actor, kind of entry and a date range (desk
days, both ends included), 50 a page; ``/audit.csv`` downloads what the filters select."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from warning.api.fields import Line, TextQuery
from warning.audit import AuditView, entries
from warning.audit.log import actors
from warning.clock import desk_zone
from warning.context import ServiceContext
from warning.web.auth import Visitor
from warning.web.i18n import ACTION_NAMES
from warning.web.pages import WebState, page, serve

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
EXPORT_ROWS = 100_000
PageNumber = Annotated[int, Query(alias="page", ge=1, le=10_000)]


@dataclass(frozen=True)
class AuditFilters:
    """What the page was asked for, checked: unknown values are dropped, not refused."""

    material: str = ""
    actor: str = ""
    kind: str = ""
    start: date | None = None
    end: date | None = None

    def query(self) -> dict[str, str]:
        """As query parameters (for the pager and the download links)."""
        shown = {
            "material": self.material,
            "actor": self.actor,
            "kind": self.kind,
            "from": self.start.isoformat() if self.start else "",
            "to": self.end.isoformat() if self.end else "",
        }
        return {key: value for key, value in shown.items() if value}

    def select(
        self, db: Session, zone: ZoneInfo, *, limit: int, offset: int
    ) -> tuple[list[AuditView], int]:
        return entries(
            db,
            material_id=self.material or None,
            actor=self.actor or None,
            actions=[self.kind] if self.kind else None,
            since=_day_start(self.start, zone),
            before=_day_start(self.end + timedelta(days=1), zone) if self.end else None,
            limit=limit,
            offset=offset,
        )


def _day_start(day: date | None, zone: ZoneInfo) -> datetime | None:
    """The UTC moment a desk day starts (times are stored as UTC; SQLite keeps no offset)."""
    return None if day is None else datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


async def _filters(
    request: Request,
    material: TextQuery = None,
    actor: TextQuery = None,
    kind: TextQuery = None,
    start: Annotated[Line | None, Query(alias="from", max_length=10)] = None,
    end: Annotated[Line | None, Query(alias="to", max_length=10)] = None,
) -> AuditFilters:
    """The filters of the page and its download, from the query."""
    context: ServiceContext = request.app.state.context
    return AuditFilters(
        material=material if material in context.catalog.material_ids else "",
        actor=(actor or "").strip(),
        kind=kind if kind in ACTION_NAMES else "",
        start=_day(start),
        end=_day(end),
    )


Filters = Annotated[AuditFilters, Depends(_filters)]


@router.get("/audit")
async def audit(request: Request, filters: Filters, page_number: PageNumber = 1) -> Response:
    """The audit page."""
    context: ServiceContext = request.app.state.context

    def show(db: Session, person: Visitor) -> Response:
        zone = desk_zone(context.settings)
        rows, total = filters.select(
            db, zone, limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE
        )
        return page(
            request,
            person,
            "audit.html",
            section="audit",
            rows=rows,
            total=total,
            pages=max(1, -(-total // PAGE_SIZE)),
            page_number=page_number,
            filters=filters,
            query=filters.query(),
            materials=context.catalog.materials,
            actors=actors(db),
            kinds=list(ACTION_NAMES),
        )

    return await serve(request, show)


@router.get("/audit.csv")
async def audit_csv(request: Request, filters: Filters) -> Response:
    """What the filters select, as CSV (UTF-8 with a byte-order mark), each entry's sentence
    in the visitor's language beside its stored fields."""
    context: ServiceContext = request.app.state.context
    state: WebState = request.app.state.web

    def download(db: Session, person: Visitor) -> Response:
        zone = desk_zone(context.settings)
        rows, _total = filters.select(db, zone, limit=EXPORT_ROWS, offset=0)
        sentences = state.templates.environments[person.language].globals["audit"]
        return Response(
            _csv(rows, sentences, zone),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
        )

    return await serve(request, download)


CSV_COLUMNS = (
    "at",
    "actor",
    "action",
    "material_id",
    "review_item_id",
    "subject",
    "comment",
    "sentence",
)


def _csv(rows: list[AuditView], sentences: Any, zone: ZoneInfo) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.at.astimezone(zone).isoformat(timespec="seconds"),
                row.actor,
                row.action,
                row.material_id or "",
                row.review_item_id or "",
                row.subject or "",
                row.comment or "",
                sentences.sentence(row).striptags(),
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")
