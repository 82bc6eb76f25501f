"""Orders, their timeline, payments and provider events, timers, idempotency
keys, reference counters, the sandbox provider's own tables, and the bus tables.

Revision ID: 0001
Revises:
Create Date: 2026-03-02
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
        "orders",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("reference", sa.String(20), nullable=False),
        sa.Column("applicant_id", sa.String(100), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("item_code", sa.String(64), nullable=False),
        sa.Column("item_revision", sa.Integer, nullable=False),
        sa.Column("item_title", Json, nullable=False),
        sa.Column("form_fields", Json, nullable=False),
        sa.Column("required_documents", Json, nullable=False),
        sa.Column("delivery_options", Json, nullable=False),
        sa.Column("fee", Json, nullable=True),
        sa.Column("upcoming_fee", Json, nullable=True),
        sa.Column("answers", Json, nullable=False),
        sa.Column("delivery", Json, nullable=True),
        sa.Column("documents_complete", sa.Boolean, nullable=False),
        sa.Column("documents_missing", Json, nullable=False),
        sa.Column("documents_revision", sa.Integer, nullable=False),
        sa.Column("locked_price", Json, nullable=True),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("updated_at", Time, nullable=False),
        sa.Column("submitted_at", Time, nullable=True),
        sa.Column("pay_by", Time, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_orders"),
        sa.UniqueConstraint("reference", name="uq_orders_reference"),
    )
    op.create_index("ix_orders_applicant_created", "orders", ["applicant_id", "created_at"])
    op.create_index("ix_orders_status", "orders", ["status"])
    op.create_table(
        "order_timeline",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("order_id", sa.String(36), nullable=False),
        sa.Column("at", Time, nullable=False),
        sa.Column("from_status", sa.String(32), nullable=True),
        sa.Column("to_status", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_order_timeline"),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name="fk_order_timeline_order_id_orders"
        ),
    )
    op.create_index("ix_order_timeline_order_id", "order_timeline", ["order_id"])
    op.create_table(
        "payments",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("order_id", sa.String(36), nullable=False),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("provider_payment_id", sa.String(100), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("amount_fen", sa.Integer, nullable=False),
        sa.Column("captured_fen", sa.Integer, nullable=False),
        sa.Column("refunded_fen", sa.Integer, nullable=False),
        sa.Column("failure_reason", sa.String(100), nullable=True),
        sa.Column("card_last4", sa.String(4), nullable=True),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("updated_at", Time, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_payments"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_payments_order_id_orders"),
        sa.UniqueConstraint("order_id", name="uq_payments_order_id"),
        sa.UniqueConstraint("provider_payment_id", name="uq_payments_provider_payment_id"),
        sa.CheckConstraint("amount_fen >= 0", name="ck_payments_amount_not_negative"),
        sa.CheckConstraint(
            "captured_fen >= 0 AND captured_fen <= amount_fen", name="ck_payments_captured_in_range"
        ),
        sa.CheckConstraint(
            "refunded_fen >= 0 AND refunded_fen <= captured_fen",
            name="ck_payments_refunded_in_range",
        ),
    )
    op.create_table(
        "payment_events",
        sa.Column("provider_event_id", sa.String(100), nullable=False),
        sa.Column("payment_id", sa.String(36), nullable=False),
        sa.Column("type", sa.String(50), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("data", Json, nullable=False),
        sa.Column("received_at", Time, nullable=False),
        sa.PrimaryKeyConstraint("provider_event_id", name="pk_payment_events"),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name="fk_payment_events_payment_id_payments"
        ),
    )
    op.create_index("ix_payment_events_payment_id", "payment_events", ["payment_id"])
    op.create_table(
        "timers",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("order_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("due_at", Time, nullable=False),
        sa.Column("fired_at", Time, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_timers"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_timers_order_id_orders"),
        sa.UniqueConstraint("order_id", "kind", name="uq_timers_order_kind"),
    )
    op.create_index(
        "ix_timers_due",
        "timers",
        ["due_at"],
        postgresql_where=sa.text("fired_at IS NULL"),
        sqlite_where=sa.text("fired_at IS NULL"),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("applicant_id", sa.String(100), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("endpoint", sa.String(200), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer, nullable=False),
        sa.Column("body", Json, nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.PrimaryKeyConstraint("applicant_id", "key", "endpoint", name="pk_idempotency_keys"),
    )
    op.create_table(
        "reference_counters",
        sa.Column("day", sa.String(8), nullable=False),
        sa.Column("last", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("day", name="pk_reference_counters"),
    )
    _create_sandbox_tables()
    create_bus_tables(op)


def _create_sandbox_tables() -> None:
    op.create_table(
        "sandbox_payments",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("merchant_reference", sa.String(100), nullable=False),
        sa.Column("reference", sa.String(40), nullable=False),
        sa.Column("amount_fen", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("captured_fen", sa.Integer, nullable=False),
        sa.Column("refunded_fen", sa.Integer, nullable=False),
        sa.Column("card_last4", sa.String(4), nullable=True),
        sa.Column("decline_code", sa.String(40), nullable=True),
        sa.Column("card_attempts", sa.Integer, nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("updated_at", Time, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sandbox_payments"),
        sa.UniqueConstraint("merchant_reference", name="uq_sandbox_payments_merchant_reference"),
    )
    op.create_table(
        "sandbox_webhooks",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("payment_id", sa.String(40), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("due_at", Time, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("delivered_at", Time, nullable=True),
        sa.Column("abandoned_at", Time, nullable=True),
        sa.Column("last_status", sa.Integer, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sandbox_webhooks"),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["sandbox_payments.id"],
            name="fk_sandbox_webhooks_payment_id_sandbox_payments",
        ),
    )
    op.create_index("ix_sandbox_webhooks_due_at", "sandbox_webhooks", ["due_at"])
    op.create_index("ix_sandbox_webhooks_payment_id", "sandbox_webhooks", ["payment_id"])


def downgrade() -> None:
    drop_bus_tables(op)
    for table in (
        "sandbox_webhooks",
        "sandbox_payments",
        "reference_counters",
        "idempotency_keys",
        "timers",
        "payment_events",
        "payments",
        "order_timeline",
        "orders",
    ):
        op.drop_table(table)
