"""Warning events carry the warning as decided: previous level and direction, basis, the
reasons as statements, the data date, the level's "since", and the value shown beside it.
Deliveries of staged history are kept as ``skipped`` with the reason. Every message is a
delivery: digests (once per kind, period and recipient, by a unique key) and escalations to
operators (an address, no contact) join the outbox; the ``digest_run`` claim goes. A
warning's public page links can be revoked (``warning.links_revoked_at``).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 14:00:00.000000
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def event_columns() -> tuple[sa.Column[Any], ...]:
    return (
        sa.Column("previous_level", sa.String(length=16), nullable=True),
        sa.Column("previous_direction", sa.String(length=8), nullable=True),
        sa.Column("basis", sa.String(length=16), nullable=True),
        sa.Column("statements_zh", sa.Text(), nullable=True),
        sa.Column("statements_en", sa.Text(), nullable=True),
        sa.Column("data_as_of", sa.Date(), nullable=True),
        sa.Column("level_since", sa.Date(), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("value_unit", sa.String(length=64), nullable=True),
        sa.Column("value_period", sa.Date(), nullable=True),
        sa.Column("value_series_id", sa.String(length=128), nullable=True),
        sa.Column("adjusted", sa.Boolean(), nullable=True),
    )


def upgrade() -> None:
    with op.batch_alter_table("warning_event") as batch:
        for column in event_columns():
            batch.add_column(column)
    with op.batch_alter_table("delivery") as batch:
        batch.add_column(sa.Column("skip_reason", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="notice")
        )
        batch.add_column(sa.Column("address", sa.String(length=320), nullable=True))
        batch.add_column(sa.Column("dedupe_key", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("payload", sa.Text(), nullable=True))
        batch.alter_column("contact_id", existing_type=sa.Integer(), nullable=True)
        batch.create_unique_constraint(op.f("uq_delivery_dedupe_key"), ["dedupe_key"])
    op.drop_table("digest_run")
    with op.batch_alter_table("warning") as batch:
        batch.add_column(sa.Column("links_revoked_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("warning") as batch:
        batch.drop_column("links_revoked_at")
    op.create_table(
        "digest_run",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_run")),
        sa.UniqueConstraint("kind", "period_start", name=op.f("uq_digest_run_kind")),
    )
    op.execute("DELETE FROM delivery WHERE contact_id IS NULL")
    with op.batch_alter_table("delivery") as batch:
        batch.drop_constraint(op.f("uq_delivery_dedupe_key"), type_="unique")
        batch.alter_column("contact_id", existing_type=sa.Integer(), nullable=False)
        for name in ("payload", "dedupe_key", "address", "kind", "skip_reason"):
            batch.drop_column(name)
    with op.batch_alter_table("warning_event") as batch:
        for column in reversed(event_columns()):
            batch.drop_column(column.name)
