"""Items, their fee versions, the rating and deal summaries, and the bus tables.

Revision ID: 0001
Revises:
Create Date: 2026-01-01
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
        "items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("title_zh", sa.String(200), nullable=False),
        sa.Column("title_en", sa.String(200), nullable=False),
        sa.Column("description_zh", sa.Text, nullable=False),
        sa.Column("description_en", sa.Text, nullable=False),
        sa.Column("sla_working_days", sa.Integer, nullable=False),
        sa.Column("required_documents", Json, nullable=False),
        sa.Column("form_fields", Json, nullable=False),
        sa.Column("delivery_options", Json, nullable=False),
        sa.Column("deal_count", sa.Integer, nullable=False),
        sa.Column("rating_average_milli", sa.Integer, nullable=True),
        sa.Column("rating_count", sa.Integer, nullable=False),
        sa.Column("rating_as_of", Time, nullable=True),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("updated_at", Time, nullable=False),
        sa.Column("published_at", Time, nullable=True),
        sa.Column("withdrawn_at", Time, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_items"),
        sa.UniqueConstraint("code", name="uq_items_code"),
        sa.CheckConstraint("status IN ('draft', 'published', 'withdrawn')", name="ck_items_status"),
        sa.CheckConstraint("sla_working_days > 0", name="ck_items_sla_positive"),
        sa.CheckConstraint("deal_count >= 0", name="ck_items_deal_count_not_negative"),
    )
    op.create_table(
        "fee_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("production_cost_fen", sa.Integer, nullable=False),
        sa.Column("courier_fee_fen", sa.Integer, nullable=False),
        sa.Column("approval_reference", sa.String(200), nullable=False),
        sa.Column("effective_from", Time, nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_fee_versions"),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name="fk_fee_versions_item_id_items"),
        sa.UniqueConstraint("item_id", "version", name="uq_fee_versions_item_version"),
        sa.CheckConstraint(
            "production_cost_fen >= 0", name="ck_fee_versions_production_cost_not_negative"
        ),
        sa.CheckConstraint("courier_fee_fen >= 0", name="ck_fee_versions_courier_fee_not_negative"),
    )
    op.create_index("ix_fee_versions_item_id", "fee_versions", ["item_id"])
    op.create_table(
        "store_rating",
        sa.Column("key", sa.String(16), nullable=False),
        sa.Column("average_milli", sa.Integer, nullable=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("as_of", Time, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_store_rating"),
    )
    op.create_table(
        "counted_deals",
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("item_code", sa.String(64), nullable=False),
        sa.Column("completed_at", Time, nullable=False),
        sa.PrimaryKeyConstraint("order_id", name="pk_counted_deals"),
    )
    op.create_index("ix_counted_deals_item_code", "counted_deals", ["item_code"])
    create_bus_tables(op)


def downgrade() -> None:
    drop_bus_tables(op)
    op.drop_table("counted_deals")
    op.drop_table("store_rating")
    op.drop_index("ix_fee_versions_item_id", table_name="fee_versions")
    op.drop_table("fee_versions")
    op.drop_table("items")
