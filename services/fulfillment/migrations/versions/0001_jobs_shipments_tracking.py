"""Production jobs, batches, shipments, tracking events, the sandbox courier's
tables, and the bus tables.

Revision ID: 0001
Revises:
Create Date: 2026-03-01
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
        "batches",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("produced_at", Time, nullable=True),
        sa.Column("produced_by", sa.String(length=100), nullable=True),
        sa.CheckConstraint(
            "status IN ('in_production', 'produced')", name=op.f("ck_batches_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
    )
    op.create_table(
        "sandbox_courier_waybills",
        sa.Column("serial", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("waybill", sa.String(length=20), nullable=False),
        sa.Column("order_reference", sa.String(length=64), nullable=False),
        sa.Column("recipient_name", sa.String(length=100), nullable=False),
        sa.Column("recipient_city", sa.String(length=50), nullable=False),
        sa.Column("sender_city", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("callback_url", sa.String(length=300), nullable=True),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("subscribed_at", Time, nullable=True),
        sa.PrimaryKeyConstraint("serial", name=op.f("pk_sandbox_courier_waybills")),
        sa.UniqueConstraint("waybill", name=op.f("uq_sandbox_courier_waybills_waybill")),
    )
    op.create_table(
        "sandbox_courier_webhooks",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("waybill", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("occurred_at", Time, nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=300), nullable=False),
        sa.Column("push", sa.Boolean(), nullable=False),
        sa.Column("due_at", Time, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("delivered_at", Time, nullable=True),
        sa.Column("abandoned_at", Time, nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sandbox_courier_webhooks")),
    )
    op.create_index(
        op.f("ix_sandbox_courier_webhooks_due_at"),
        "sandbox_courier_webhooks",
        ["due_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_sandbox_courier_webhooks_waybill"),
        "sandbox_courier_webhooks",
        ["waybill"],
        unique=False,
    )
    op.create_table(
        "jobs",
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("item_code", sa.String(length=64), nullable=False),
        sa.Column("applicant_id", sa.String(length=100), nullable=False),
        sa.Column("applicant_name", sa.String(length=100), nullable=True),
        sa.Column("id_number_masked", sa.String(length=40), nullable=True),
        sa.Column("plate_number", sa.String(length=20), nullable=True),
        sa.Column("delivery_kind", sa.String(length=10), nullable=False),
        sa.Column("carrier", sa.String(length=40), nullable=True),
        sa.Column("address", Json, nullable=True),
        sa.Column("office_code", sa.String(length=64), nullable=True),
        sa.Column("office", Json, nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("approved_at", Time, nullable=False),
        sa.Column("due_at", Time, nullable=False),
        sa.Column("batch_id", sa.String(length=40), nullable=True),
        sa.Column("credential_number", sa.String(length=40), nullable=True),
        sa.Column("produced_at", Time, nullable=True),
        sa.Column("pickup_code", sa.String(length=6), nullable=True),
        sa.Column("pickup_failures", sa.Integer(), nullable=False),
        sa.Column("ready_at", Time, nullable=True),
        sa.Column("collect_by", Time, nullable=True),
        sa.Column("reminded_at", Time, nullable=True),
        sa.Column("delivered_at", Time, nullable=True),
        sa.Column("exception_reason", sa.String(length=40), nullable=True),
        sa.Column("exception_at", Time, nullable=True),
        sa.Column("cancelled_at", Time, nullable=True),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("updated_at", Time, nullable=False),
        sa.CheckConstraint(
            "delivery_kind IN ('courier', 'pickup')", name=op.f("ck_jobs_delivery_kind")
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'in_production', 'produced', 'shipped', 'ready_for_pickup', 'delivered', 'delivery_exception', 'cancelled')",
            name=op.f("ck_jobs_status"),
        ),
        sa.CheckConstraint(
            "pickup_failures >= 0", name=op.f("ck_jobs_pickup_failures_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_jobs_batch_id_batches")
        ),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("reference", name=op.f("uq_jobs_reference")),
    )
    op.create_index(op.f("ix_jobs_approved_at"), "jobs", ["approved_at"], unique=False)
    op.create_index(op.f("ix_jobs_batch_id"), "jobs", ["batch_id"], unique=False)
    op.create_index(op.f("ix_jobs_item_code"), "jobs", ["item_code"], unique=False)
    op.create_index(op.f("ix_jobs_status"), "jobs", ["status"], unique=False)
    op.create_table(
        "shipments",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("carrier", sa.String(length=40), nullable=False),
        sa.Column("courier", sa.String(length=20), nullable=False),
        sa.Column("waybill", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("address", Json, nullable=False),
        sa.Column("reship", sa.Boolean(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("latest_event_at", Time, nullable=True),
        sa.Column("heard_at", Time, nullable=True),
        sa.Column("signer", sa.String(length=100), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("handed_over_at", Time, nullable=True),
        sa.Column("handed_over_by", sa.String(length=100), nullable=True),
        sa.Column("closed_at", Time, nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["jobs.order_id"], name=op.f("fk_shipments_order_id_jobs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
        sa.UniqueConstraint("waybill", name=op.f("uq_shipments_waybill")),
    )
    op.create_index(op.f("ix_shipments_order_id"), "shipments", ["order_id"], unique=False)
    op.create_table(
        "tracking_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("courier", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.String(length=80), nullable=False),
        sa.Column("shipment_id", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("occurred_at", Time, nullable=False),
        sa.Column("city", sa.String(length=50), nullable=True),
        sa.Column("signer", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.String(length=100), nullable=True),
        sa.Column("received_at", Time, nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_tracking_events_shipment_id_shipments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_events")),
        sa.UniqueConstraint("courier", "event_id", name="uq_tracking_events_courier_event"),
    )
    op.create_index(
        op.f("ix_tracking_events_shipment_id"), "tracking_events", ["shipment_id"], unique=False
    )
    create_bus_tables(op)


def downgrade() -> None:
    drop_bus_tables(op)
    op.drop_index(op.f("ix_tracking_events_shipment_id"), table_name="tracking_events")
    op.drop_table("tracking_events")
    op.drop_index(op.f("ix_shipments_order_id"), table_name="shipments")
    op.drop_table("shipments")
    op.drop_index(op.f("ix_jobs_status"), table_name="jobs")
    op.drop_index(op.f("ix_jobs_item_code"), table_name="jobs")
    op.drop_index(op.f("ix_jobs_batch_id"), table_name="jobs")
    op.drop_index(op.f("ix_jobs_approved_at"), table_name="jobs")
    op.drop_table("jobs")
    op.drop_index(
        op.f("ix_sandbox_courier_webhooks_waybill"), table_name="sandbox_courier_webhooks"
    )
    op.drop_index(op.f("ix_sandbox_courier_webhooks_due_at"), table_name="sandbox_courier_webhooks")
    op.drop_table("sandbox_courier_webhooks")
    op.drop_table("sandbox_courier_waybills")
    op.drop_table("batches")
