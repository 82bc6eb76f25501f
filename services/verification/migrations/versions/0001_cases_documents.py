"""Cases, their documents, and the bus tables.

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
        "cases",
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("applicant_id", sa.String(64), nullable=True),
        sa.Column("item_code", sa.String(64), nullable=True),
        sa.Column("required_documents", Json, nullable=True),
        sa.Column("opened_at", Time, nullable=True),
        sa.Column("locked_at", Time, nullable=True),
        sa.Column("submitted_at", Time, nullable=True),
        sa.Column("closed_at", Time, nullable=True),
        sa.Column("closed_because", sa.String(32), nullable=True),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("updated_at", Time, nullable=False),
        sa.PrimaryKeyConstraint("order_id", name="pk_cases"),
        sa.CheckConstraint("status IN ('collecting', 'locked', 'closed')", name="ck_cases_status"),
        sa.CheckConstraint("revision >= 0", name="ck_cases_revision_not_negative"),
    )
    op.create_index("ix_cases_applicant_id", "cases", ["applicant_id"])
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("file_name", sa.String(32), nullable=False),
        sa.Column("thumbnail_name", sa.String(32), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("size_bytes", sa.Integer, nullable=False),
        sa.Column("pixel_sha256", sa.String(64), nullable=False),
        sa.Column("uploaded_at", Time, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
        sa.ForeignKeyConstraint(
            ["order_id"], ["cases.order_id"], name="fk_documents_order_id_cases"
        ),
        sa.UniqueConstraint("order_id", "code", name="uq_documents_order_code"),
        sa.UniqueConstraint("order_id", "pixel_sha256", name="uq_documents_order_pixels"),
    )
    create_bus_tables(op)


def downgrade() -> None:
    drop_bus_tables(op)
    op.drop_table("documents")
    op.drop_index("ix_cases_applicant_id", table_name="cases")
    op.drop_table("cases")
