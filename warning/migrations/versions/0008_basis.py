"""The basis of every assessment (rules.LevelBasis): why its level stands, what the indicators
alone say, since when, last confirmed, earliest change; and each indicator's role.

Plain ADD COLUMNs (no batch copy: review items reference assessments). Assessments stored
before this migration get an empty basis: it was not recorded then.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 17:17:29.496372
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

LEVEL = sa.Enum(
    "no_data", "normal", "blue", "yellow", "red", name="level", native_enum=False, length=16
)
DIRECTION = sa.Enum("up", "down", "", name="direction", native_enum=False, length=8)


def upgrade() -> None:
    columns: list[sa.Column[Any]] = [
        sa.Column("basis", sa.String(length=16), nullable=False, server_default=""),
        sa.Column("indicator_level", LEVEL, nullable=False, server_default="no_data"),
        sa.Column("indicator_direction", DIRECTION, nullable=False, server_default=""),
        sa.Column("level_since", sa.Date(), nullable=True),
        sa.Column("last_confirmed", sa.Date(), nullable=True),
        sa.Column("earliest_change", sa.Date(), nullable=True),
        sa.Column("basis_detail", sa.Text(), nullable=False, server_default="{}"),
    ]
    for column in columns:
        op.add_column("assessment", column)
    op.add_column(
        "indicator_assessment",
        sa.Column("role", sa.String(length=16), nullable=False, server_default="signal"),
    )


def downgrade() -> None:
    op.drop_column("indicator_assessment", "role")
    for name in (
        "basis_detail",
        "earliest_change",
        "last_confirmed",
        "level_since",
        "indicator_direction",
        "indicator_level",
        "basis",
    ):
        op.drop_column("assessment", name)
