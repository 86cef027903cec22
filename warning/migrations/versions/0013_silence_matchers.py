"""Silences by matcher, as in Alertmanager: besides the material, a sector, a level, a
direction and an enterprise of the directory, each nullable (any). Existing silences keep
their meaning: their material (or every material), from their start until their end.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 23:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("silence") as batch:
        batch.add_column(sa.Column("sector", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("level", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("direction", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("enterprise_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_silence_enterprise_id_enterprise"), "enterprise", ["enterprise_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("silence") as batch:
        batch.drop_constraint(op.f("fk_silence_enterprise_id_enterprise"), type_="foreignkey")
        batch.drop_column("enterprise_id")
        batch.drop_column("direction")
        batch.drop_column("level")
        batch.drop_column("sector")
