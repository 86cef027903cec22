"""Enterprise reporting: reporters (a user tied to one enterprise), reports (one per
enterprise, form and period) and every value entered (a correction is a new revision).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 16:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reporter",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_reporter_user_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"], name=op.f("fk_reporter_enterprise_id_enterprise")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_reporter")),
    )
    op.create_index(op.f("ix_reporter_enterprise_id"), "reporter", ["enterprise_id"])
    op.create_table(
        "report",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("form", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"], name=op.f("fk_report_enterprise_id_enterprise")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report")),
        sa.UniqueConstraint(
            "enterprise_id", "form", "period", name=op.f("uq_report_enterprise_id")
        ),
    )
    op.create_index(op.f("ix_report_enterprise_id"), "report", ["enterprise_id"])
    op.create_index(op.f("ix_report_period"), "report", ["period"])
    op.create_table(
        "report_value",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entered_by", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("jump", sa.Boolean(), nullable=False),
        sa.Column("reference", sa.Float(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"], ["report.id"], name=op.f("fk_report_value_report_id_report")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_value")),
        sa.UniqueConstraint(
            "report_id", "field", "revision", name=op.f("uq_report_value_report_id")
        ),
    )
    op.create_index(op.f("ix_report_value_report_id"), "report_value", ["report_id"])


def downgrade() -> None:
    op.drop_table("report_value")
    op.drop_table("report")
    op.drop_table("reporter")
