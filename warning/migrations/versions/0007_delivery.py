"""Delivery: the directory (enterprises, contacts, endpoints, subscriptions), the outbox
(notices, deliveries, attempts), digest runs, and warning_event.routed_at (the outbox cursor;
events approved before this migration count as routed: they are not announced again).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 16:01:23.225649
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
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
    op.create_table(
        "enterprise",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("region", sa.String(length=64), nullable=False),
        sa.Column("sector", sa.String(length=64), nullable=False),
        sa.Column("whitelist", sa.Boolean(), nullable=False),
        sa.Column("key_contact", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise")),
        sa.UniqueConstraint("credit_code", name=op.f("uq_enterprise_credit_code")),
    )
    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("channels", sa.String(length=128), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("unsubscribed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"], name=op.f("fk_contact_enterprise_id_enterprise")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
        sa.UniqueConstraint("enterprise_id", "email", name=op.f("uq_contact_enterprise_id")),
    )
    op.create_index("ix_contact_enterprise_id", "contact", ["enterprise_id"], unique=False)

    op.create_table(
        "contact_endpoint",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "email",
                "webhook",
                "dingtalk",
                "wecom",
                "feishu",
                name="endpointkind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("secrets", sa.Text(), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name=op.f("fk_contact_endpoint_contact_id_contact")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_endpoint")),
        sa.UniqueConstraint(
            "contact_id", "kind", "url", name=op.f("uq_contact_endpoint_contact_id")
        ),
    )
    op.create_index(
        "ix_contact_endpoint_contact_id", "contact_endpoint", ["contact_id"], unique=False
    )

    op.create_table(
        "subscription",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("materials", sa.Text(), nullable=False),
        sa.Column("sectors", sa.Text(), nullable=False),
        sa.Column(
            "min_level",
            sa.Enum(
                "no_data",
                "normal",
                "blue",
                "yellow",
                "red",
                name="level",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("directions", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name=op.f("fk_subscription_contact_id_contact")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription")),
    )
    op.create_index("ix_subscription_contact_id", "subscription", ["contact_id"], unique=False)

    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "email",
                "webhook",
                "dingtalk",
                "wecom",
                "feishu",
                name="endpointkind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("endpoint_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "sending",
                "retrying",
                "sent",
                "dead",
                name="deliverystatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("send_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("receiver_id", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name=op.f("fk_delivery_contact_id_contact")
        ),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["contact_endpoint.id"],
            name=op.f("fk_delivery_endpoint_id_contact_endpoint"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery")),
    )
    op.create_index("ix_delivery_contact_id", "delivery", ["contact_id"], unique=False)
    op.create_index("ix_delivery_due", "delivery", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "delivery_attempt",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("worker", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Float(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["delivery_id"], ["delivery.id"], name=op.f("fk_delivery_attempt_delivery_id_delivery")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_attempt")),
    )
    op.create_index(
        "ix_delivery_attempt_delivery_id", "delivery_attempt", ["delivery_id"], unique=False
    )

    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("warning_id", sa.Integer(), nullable=False),
        sa.Column("warning_event_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "new",
                "escalated",
                "de-escalated",
                "direction_changed",
                "resolved",
                "repeat",
                name="noticekind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("material_id", sa.String(length=64), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "no_data",
                "normal",
                "blue",
                "yellow",
                "red",
                name="level",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "direction",
            sa.Enum("up", "down", "", name="direction", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column(
            "previous_level",
            sa.Enum(
                "no_data",
                "normal",
                "blue",
                "yellow",
                "red",
                name="level",
                native_enum=False,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["warning_event_id"],
            ["warning_event.id"],
            name=op.f("fk_notice_warning_event_id_warning_event"),
        ),
        sa.ForeignKeyConstraint(
            ["warning_id"], ["warning.id"], name=op.f("fk_notice_warning_id_warning")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice")),
        sa.UniqueConstraint("warning_event_id", name=op.f("uq_notice_warning_event_id")),
    )
    op.create_index("ix_notice_warning_id", "notice", ["warning_id"], unique=False)

    op.create_table(
        "delivery_notice",
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"], ["delivery.id"], name=op.f("fk_delivery_notice_delivery_id_delivery")
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notice.id"], name=op.f("fk_delivery_notice_notice_id_notice")
        ),
        sa.PrimaryKeyConstraint("delivery_id", "notice_id", name=op.f("pk_delivery_notice")),
    )
    op.create_index("ix_delivery_notice_notice_id", "delivery_notice", ["notice_id"], unique=False)

    op.add_column(
        "warning_event", sa.Column("routed_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.execute("UPDATE warning_event SET routed_at = at")
    op.create_index("ix_warning_event_routed_at", "warning_event", ["routed_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_warning_event_routed_at", table_name="warning_event")
    op.drop_column("warning_event", "routed_at")

    op.drop_index("ix_delivery_notice_notice_id", table_name="delivery_notice")

    op.drop_table("delivery_notice")
    op.drop_index("ix_notice_warning_id", table_name="notice")

    op.drop_table("notice")
    op.drop_index("ix_delivery_attempt_delivery_id", table_name="delivery_attempt")

    op.drop_table("delivery_attempt")
    op.drop_index("ix_delivery_due", table_name="delivery")
    op.drop_index("ix_delivery_contact_id", table_name="delivery")

    op.drop_table("delivery")
    op.drop_index("ix_subscription_contact_id", table_name="subscription")

    op.drop_table("subscription")
    op.drop_index("ix_contact_endpoint_contact_id", table_name="contact_endpoint")

    op.drop_table("contact_endpoint")
    op.drop_index("ix_contact_enterprise_id", table_name="contact")

    op.drop_table("contact")
    op.drop_table("enterprise")
    op.drop_table("digest_run")
