"""The warning lifecycle: users and tokens, warnings and their events, review items,
silences, and the append-only audit log (triggers refuse UPDATE and DELETE on audit_entry).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 15:32:59.999801
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


# Append-only: the database refuses to change or remove an audit entry, whatever the client.
_PG_FUNCTION = """
CREATE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_entry is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql
"""
_PG_TRIGGER = """
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()
"""
_SQLITE_TRIGGERS = [
    f"""
CREATE TRIGGER audit_entry_no_{operation.lower()} BEFORE {operation} ON audit_entry
BEGIN
    SELECT RAISE(ABORT, 'audit_entry is append-only: {operation} refused');
END
"""
    for operation in ("UPDATE", "DELETE")
]


def _append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(_PG_TRIGGER)
    else:
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column(
            "role",
            sa.Enum("viewer", "operator", "admin", name="role", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("name", name=op.f("uq_app_user_name")),
    )
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("material_id", sa.String(length=64), nullable=True),
        sa.Column("review_item_id", sa.Integer(), nullable=True),
        sa.Column("warning_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=128), nullable=True),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    op.create_index("ix_audit_entry_item", "audit_entry", ["review_item_id", "id"], unique=False)
    op.create_index("ix_audit_entry_material", "audit_entry", ["material_id", "id"], unique=False)

    _append_only()
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=128), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_api_token_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    op.create_index("ix_api_token_user_id", "api_token", ["user_id"], unique=False)

    op.create_table(
        "silence",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("material_id", sa.String(length=64), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["material_id"], ["material.id"], name=op.f("fk_silence_material_id_material")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_silence")),
    )
    op.create_table(
        "warning",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("material_id", sa.String(length=64), nullable=False),
        sa.Column(
            "state",
            sa.Enum("active", "resolved", name="warningstate", native_enum=False, length=16),
            nullable=False,
        ),
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
        sa.Column("text_zh", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["material_id"], ["material.id"], name=op.f("fk_warning_material_id_material")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning")),
    )
    op.create_index("ix_warning_material_state", "warning", ["material_id", "state"], unique=False)

    op.create_table(
        "review_item",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("material_id", sa.String(length=64), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "snoozed",
                "approved",
                "rejected",
                "superseded",
                name="itemstate",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "kind",
            sa.Enum(
                "new",
                "escalation",
                "de_escalation",
                "direction_change",
                "end",
                name="changekind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "from_level",
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
            "from_direction",
            sa.Enum("up", "down", "", name="direction", native_enum=False, length=8),
            nullable=False,
        ),
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
        sa.Column("reasons_zh", sa.Text(), nullable=False),
        sa.Column("reasons_en", sa.Text(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("ruleset_version", sa.String(length=64), nullable=False),
        sa.Column("silenced", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("snoozed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column(
            "final_level",
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
        sa.Column(
            "final_direction",
            sa.Enum("up", "down", "", name="direction", native_enum=False, length=8),
            nullable=True,
        ),
        sa.Column("final_text_zh", sa.Text(), nullable=True),
        sa.Column("final_text_en", sa.Text(), nullable=True),
        sa.Column("warning_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_review_item_assessment_id_assessment"),
        ),
        sa.ForeignKeyConstraint(
            ["material_id"], ["material.id"], name=op.f("fk_review_item_material_id_material")
        ),
        sa.ForeignKeyConstraint(
            ["warning_id"], ["warning.id"], name=op.f("fk_review_item_warning_id_warning")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_item")),
    )
    op.create_index(
        "ix_review_item_state_material", "review_item", ["state", "material_id"], unique=False
    )

    op.create_table(
        "warning_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("warning_id", sa.Integer(), nullable=False),
        sa.Column("review_item_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "new",
                "escalation",
                "de_escalation",
                "direction_change",
                "end",
                name="changekind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
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
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notify", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_item_id"],
            ["review_item.id"],
            name=op.f("fk_warning_event_review_item_id_review_item"),
        ),
        sa.ForeignKeyConstraint(
            ["warning_id"], ["warning.id"], name=op.f("fk_warning_event_warning_id_warning")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_event")),
    )
    op.create_index("ix_warning_event_warning_id", "warning_event", ["warning_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_warning_event_warning_id", table_name="warning_event")

    op.drop_table("warning_event")
    op.drop_index("ix_review_item_state_material", table_name="review_item")

    op.drop_table("review_item")
    op.drop_index("ix_warning_material_state", table_name="warning")

    op.drop_table("warning")
    op.drop_table("silence")
    op.drop_index("ix_api_token_user_id", table_name="api_token")

    op.drop_table("api_token")
    op.drop_index("ix_audit_entry_material", table_name="audit_entry")
    op.drop_index("ix_audit_entry_item", table_name="audit_entry")

    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_entry_append_only ON audit_entry")
        op.execute("DROP FUNCTION audit_entry_append_only()")
    op.drop_table("audit_entry")
    op.drop_table("app_user")
