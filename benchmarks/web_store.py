"""A store for the web benchmark: the bundled sample evaluated by the demo job, then years
of history added in bulk: assessments with their indicator rows, resolved warnings, decided
and pending review items with their audit entries.

The demo's own evaluation stays the current one (the history is dated before it), so the
board, the queue and the item page show the sample's real levels, reasons and charts while
every query runs against the full-sized tables.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, func, insert, select, text

from warning.accounts import Role
from warning.accounts.service import ensure_user
from warning.audit import AuditEntry
from warning.context import initialise
from warning.evaluation.models import Assessment, EvaluationRun, IndicatorAssessment
from warning.jobs.demo import run_demo
from warning.review.models import MaterialWarning, ReviewItem
from warning.settings import load_settings
from warning.store import transaction

USER, PASSWORD = "bench", "bench-password-1"
INDICATORS = ("price_change_3m", "price_yoy", "price_drawdown")
LEVELS = ("normal", "normal", "normal", "blue", "yellow", "red", "no_data")
BATCH = 5000
NOW = datetime(2026, 8, 21, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Sizes:
    """How much history to add."""

    assessments: int = 100_000
    warnings: int = 10_000
    items: int = 10_000
    pending: int = 1_000  # of the items: a long queue, twenty pages of it


@dataclass(frozen=True)
class FilledStore:
    """What the benchmark asks for: a pending item of the demo (with indicators and chart)."""

    url: str
    item_id: int
    materials: tuple[str, ...]


def reset(url: str) -> None:
    """An empty database at ``url``: the SQLite file removed, or the PostgreSQL schema dropped."""
    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        return
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def fill(url: str, sizes: Sizes, sample_dir: Path | None = None) -> FilledStore:
    """Migrate, run the demo on the sample, add the history, make the benchmark's user."""
    reset(url)
    settings = load_settings(database_url=url, sample_dir=sample_dir)
    context = initialise(settings)
    result = run_demo(context, as_of=None)
    materials = tuple(m.id for m in context.catalog.materials)
    with context.engine.begin() as connection:
        history = _History(connection, materials, result.as_of, random.Random(20261201))
        history.add(sizes)
    _after_bulk_load(context.engine)
    with transaction(context.factory) as session:
        ensure_user(
            session, name=USER, role=Role.OPERATOR, password=PASSWORD, actor="bench", now=NOW
        )
        item_id = session.scalar(
            select(ReviewItem.id)
            .join(Assessment, Assessment.id == ReviewItem.assessment_id)
            .where(Assessment.as_of == result.as_of, ReviewItem.state == "pending")
            .order_by(ReviewItem.level.desc(), ReviewItem.id)
            .limit(1)
        )
    context.engine.dispose()
    if item_id is None:
        raise RuntimeError("the demo left no pending item to benchmark")
    return FilledStore(url, item_id, materials)


def _after_bulk_load(engine: Engine) -> None:
    """Sequences past the explicit ids (PostgreSQL) and fresh planner statistics."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            for table in (
                "evaluation_run",
                "assessment",
                "indicator_assessment",
                "warning",
                "review_item",
                "audit_entry",
            ):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
        connection.execute(text("ANALYZE"))


def _batches(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


class _History:
    """Rows dated before the demo's evaluation, inserted in batches on one connection."""

    def __init__(
        self, connection: Any, materials: Sequence[str], as_of: date, rng: random.Random
    ) -> None:
        self.connection, self.materials, self.as_of, self.rng = connection, materials, as_of, rng

    def _next_id(self, table: Any) -> int:
        return int(self.connection.scalar(select(func.coalesce(func.max(table.c.id), 0)))) + 1

    def _insert(self, table: Any, rows: Iterator[dict[str, Any]]) -> None:
        for batch in _batches(rows):
            self.connection.execute(insert(table), batch)

    def add(self, sizes: Sizes) -> None:
        assessment_ids = self._assessments(sizes.assessments)
        self._warnings(sizes.warnings)
        self._items(sizes.items, sizes.pending, assessment_ids)

    def _assessments(self, count: int) -> list[tuple[int, str, date]]:
        runs = EvaluationRun.__table__
        days = -(-count // len(self.materials))
        first_run, first = self._next_id(runs), self._next_id(Assessment.__table__)
        dates = [self.as_of - timedelta(days=days - i) for i in range(days)]
        self._insert(
            runs,
            (
                {
                    "id": first_run + i,
                    "as_of": day,
                    "ruleset_version": "default-1.0",
                    "started_at": NOW,
                    "finished_at": NOW,
                    "trigger": "bench",
                }
                for i, day in enumerate(dates)
            ),
        )
        made: list[tuple[int, str, date]] = []
        levels = {m: "normal" for m in self.materials}
        rows, indicators = [], []
        for i, day in enumerate(dates):
            for material in self.materials:
                if len(made) == count:
                    break
                if self.rng.random() < 0.03:  # a level holds for a month or so
                    levels[material] = self.rng.choice(LEVELS)
                level = levels[material]
                direction = (
                    "" if level in ("normal", "no_data") else self.rng.choice(("up", "down"))
                )
                assessment_id = first + len(made)
                made.append((assessment_id, material, day))
                rows.append(
                    _assessment(assessment_id, first_run + i, material, day, level, direction)
                )
                indicators += [
                    _indicator(assessment_id, material, name, self.rng) for name in INDICATORS
                ]
        self._insert(Assessment.__table__, iter(rows))
        self._insert(IndicatorAssessment.__table__, iter(indicators))
        return made

    def _warnings(self, count: int) -> None:
        start = datetime.combine(self.as_of, datetime.min.time(), UTC) - timedelta(days=count)
        self._insert(
            MaterialWarning.__table__,
            (
                {
                    "material_id": self.materials[i % len(self.materials)],
                    "state": "resolved",
                    "level": self.rng.choice(("blue", "yellow", "red")),
                    "direction": self.rng.choice(("up", "down")),
                    "text_zh": "历史预警",
                    "text_en": "a past warning",
                    "started_at": start + timedelta(days=i),
                    "updated_at": start + timedelta(days=i + 5),
                    "resolved_at": start + timedelta(days=i + 20),
                }
                for i in range(count)
            ),
        )

    def _items(self, count: int, pending: int, assessments: list[tuple[int, str, date]]) -> None:
        first, first_audit = (
            self._next_id(ReviewItem.__table__),
            self._next_id(AuditEntry.__table__),
        )
        items: list[dict[str, Any]] = []
        audit: list[dict[str, Any]] = []
        for n in range(count):
            assessment_id, material, day = assessments[self.rng.randrange(len(assessments))]
            created = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=9)
            if n < pending:
                created = NOW - timedelta(minutes=10 + n * 37)
            state = (
                "pending"
                if n < pending
                else self.rng.choice(("approved", "rejected", "superseded"))
            )
            level = self.rng.choice(("blue", "yellow", "red"))
            item_id = first + n
            items.append(_item(item_id, material, assessment_id, state, level, created, self.rng))
            audit.append(_audit(first_audit + len(audit), item_id, material, "created", created))
            if state != "pending":
                audit.append(
                    _audit(
                        first_audit + len(audit),
                        item_id,
                        material,
                        state,
                        created + timedelta(hours=1),
                    )
                )
        self._insert(ReviewItem.__table__, iter(items))
        self._insert(AuditEntry.__table__, iter(audit))


def _assessment(
    assessment_id: int, run_id: int, material: str, day: date, level: str, direction: str
) -> dict[str, Any]:
    return {
        "id": assessment_id,
        "evaluation_run_id": run_id,
        "material_id": material,
        "as_of": day,
        "period": day,
        "level": level,
        "direction": direction,
        "score": 1.5,
        "reasons_zh": f"{material} 历史研判",
        "reasons_en": f"{material}: a past assessment",
        "ruleset_version": "default-1.0",
    }


def _indicator(assessment_id: int, material: str, name: str, rng: random.Random) -> dict[str, Any]:
    value = round(rng.gauss(0, 15), 2)
    return {
        "assessment_id": assessment_id,
        "indicator": name,
        "detector": "change",
        "series_id": f"{material}_bench",
        "value": value,
        "thresholds": "up: yellow 15%, red 30%; down: yellow -15%, red -25%",
        "level": "normal",
        "direction": "",
        "score": abs(value) / 15,
        "reason_zh": f"{name} {value}",
        "reason_en": f"{name} at {value}",
    }


def _item(
    item_id: int,
    material: str,
    assessment_id: int,
    state: str,
    level: str,
    created: datetime,
    rng: random.Random,
) -> dict[str, Any]:
    decided = state != "pending"
    return {
        "id": item_id,
        "material_id": material,
        "state": state,
        "kind": "new",
        "from_level": "normal",
        "from_direction": "",
        "level": level,
        "direction": rng.choice(("up", "down")),
        "reasons_zh": "历史建议",
        "reasons_en": "a past proposal",
        "assessment_id": assessment_id,
        "ruleset_version": "default-1.0",
        "silenced": False,
        "created_at": created,
        "updated_at": created,
        "deadline_at": created + timedelta(hours=24),
        "overdue": False,
        "escalated_at": None,
        "snoozed_until": None,
        "decided_at": created + timedelta(hours=1) if decided else None,
        "decided_by": "bench" if decided else None,
        "comment": None,
        "final_level": None,
        "final_direction": None,
        "final_text_zh": None,
        "final_text_en": None,
        "warning_id": None,
        "version": 1,
    }


def _audit(entry_id: int, item_id: int, material: str, action: str, at: datetime) -> dict[str, Any]:
    return {
        "id": entry_id,
        "at": at,
        "actor": "system" if action == "created" else "bench",
        "action": action,
        "material_id": material,
        "review_item_id": item_id,
        "warning_id": None,
        "subject": None,
        "before": None,
        "after": '{"state": "pending"}',
        "comment": None,
    }
