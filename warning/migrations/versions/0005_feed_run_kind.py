"""feed_run.kind: feed, file or derivation, instead of reading the kind off the feed's name

Before this, derivation runs were known only by ``feed = 'derived'``, which a real feed may
also be called. Existing runs are classified by the names the service used: ``derived`` ->
derivation, ``file`` and ``sample`` (``warning ingest-file`` and ``warning demo``) -> file,
anything else -> feed.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 16:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN, not a batch copy: on SQLite a batch would drop and recreate
    # feed_run, which the observations' foreign keys to it refuse. The server default stays.
    op.add_column(
        "feed_run",
        sa.Column("kind", sa.String(length=16), nullable=False, server_default="feed"),
    )
    op.execute("UPDATE feed_run SET kind = 'derivation' WHERE feed = 'derived'")
    op.execute("UPDATE feed_run SET kind = 'file' WHERE feed IN ('file', 'sample')")


def downgrade() -> None:
    op.drop_column("feed_run", "kind")  # SQLite >= 3.35 drops a column in place
