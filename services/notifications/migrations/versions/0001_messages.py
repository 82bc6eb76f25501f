"""The messages, the orders' owners, contacts, preferences, reminders, the sandbox
providers' tables, and the bus tables.

Revision ID: 0001
Revises:
Create Date: 2026-03-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from common.events.tables import create_bus_tables, drop_bus_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "contacts",
        sa.Column("account_id", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("changed_at", Time, nullable=False),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_contacts")),
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=100), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=True),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("template", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("quiet_exempt", sa.Boolean(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", Time, nullable=True),
        sa.Column("provider", sa.String(length=20), nullable=True),
        sa.Column("provider_message_id", sa.String(length=100), nullable=True),
        sa.Column("to_masked", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("accepted_at", Time, nullable=True),
        sa.Column("delivered_at", Time, nullable=True),
        sa.Column("failed_at", Time, nullable=True),
        sa.Column("read_at", Time, nullable=True),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("updated_at", Time, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint("event_id", "template", "channel", name="uq_messages_event_channel"),
    )
    op.create_index("ix_messages_due", "messages", ["status", "next_attempt_at"], unique=False)
    op.create_index(
        "ix_messages_inbox", "messages", ["account_id", "channel", "created_at"], unique=False
    )
    op.create_index(op.f("ix_messages_order_id"), "messages", ["order_id"], unique=False)
    op.create_index(
        "ix_messages_receipt", "messages", ["channel", "provider_message_id"], unique=False
    )

    op.create_table(
        "orders",
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=100), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("documents", Json, nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_orders")),
    )
    op.create_index(op.f("ix_orders_account_id"), "orders", ["account_id"], unique=False)

    op.create_table(
        "preferences",
        sa.Column("account_id", sa.String(length=100), nullable=False),
        sa.Column("sms", sa.Boolean(), nullable=False),
        sa.Column("email", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("updated_at", Time, nullable=False),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_preferences")),
    )
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("documents", Json, nullable=False),
        sa.Column("deadline", Time, nullable=False),
        sa.Column("due_at", Time, nullable=False),
        sa.Column("sent_at", Time, nullable=True),
        sa.Column("cancelled_at", Time, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.UniqueConstraint("order_id", "round", name="uq_reminders_order_round"),
    )
    op.create_index(op.f("ix_reminders_due_at"), "reminders", ["due_at"], unique=False)

    op.create_table(
        "sandbox_receipts",
        sa.Column("url", sa.String(length=300), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("due_at", Time, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("delivered_at", Time, nullable=True),
        sa.Column("abandoned_at", Time, nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sandbox_receipts")),
    )
    op.create_index(
        op.f("ix_sandbox_receipts_due_at"), "sandbox_receipts", ["due_at"], unique=False
    )

    op.create_table(
        "sandbox_sent",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("to", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("accepted_at", Time, nullable=False),
        sa.Column("receipt", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sandbox_sent")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_sandbox_sent_idempotency_key")),
    )
    op.create_index(
        op.f("ix_sandbox_sent_accepted_at"), "sandbox_sent", ["accepted_at"], unique=False
    )
    op.create_index(op.f("ix_sandbox_sent_channel"), "sandbox_sent", ["channel"], unique=False)

    op.create_table(
        "sandbox_switches",
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("down", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("channel", name=op.f("pk_sandbox_switches")),
    )
    create_bus_tables(op)


def downgrade() -> None:
    drop_bus_tables(op)
    op.drop_table("sandbox_switches")
    op.drop_index(op.f("ix_sandbox_sent_channel"), table_name="sandbox_sent")
    op.drop_index(op.f("ix_sandbox_sent_accepted_at"), table_name="sandbox_sent")
    op.drop_table("sandbox_sent")
    op.drop_index(op.f("ix_sandbox_receipts_due_at"), table_name="sandbox_receipts")
    op.drop_table("sandbox_receipts")
    op.drop_index(op.f("ix_reminders_due_at"), table_name="reminders")
    op.drop_table("reminders")
    op.drop_table("preferences")
    op.drop_index(op.f("ix_orders_account_id"), table_name="orders")
    op.drop_table("orders")
    op.drop_index("ix_messages_receipt", table_name="messages")
    op.drop_index(op.f("ix_messages_order_id"), table_name="messages")
    op.drop_index("ix_messages_inbox", table_name="messages")
    op.drop_index("ix_messages_due", table_name="messages")
    op.drop_table("messages")
    op.drop_table("contacts")
