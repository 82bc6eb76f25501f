"""Orders read model, ratings, cases, messages, daily counts and the bus tables

Revision ID: 0001
Revises:
Create Date: 2026-03-06
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
        "daily_counts",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("item_code", sa.String(length=64), nullable=False),
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "item_code", "metric", "bucket", name=op.f("pk_daily_counts")
        ),
    )
    op.create_table(
        "orders",
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("applicant_id", sa.String(length=100), nullable=True),
        sa.Column("item_code", sa.String(length=64), nullable=True),
        sa.Column("applicant_name_masked", sa.String(length=40), nullable=True),
        sa.Column("drafted", sa.Boolean(), nullable=False),
        sa.Column("submitted_at", Time, nullable=True),
        sa.Column("approved_at", Time, nullable=True),
        sa.Column("asked_again", sa.Boolean(), nullable=False),
        sa.Column("rejected_at", Time, nullable=True),
        sa.Column("dispatched_at", Time, nullable=True),
        sa.Column("delivered_at", Time, nullable=True),
        sa.Column("completed_at", Time, nullable=True),
        sa.Column("invited_at", Time, nullable=True),
        sa.Column("rated", sa.Boolean(), nullable=False),
        sa.Column("updated_at", Time, nullable=False),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_orders")),
    )
    op.create_index(
        "ix_orders_completed_uninvited",
        "orders",
        ["completed_at", "invited_at", "rated"],
        unique=False,
    )
    op.create_table(
        "ratings",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("item_code", sa.String(length=64), nullable=False),
        sa.Column("applicant_id", sa.String(length=100), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column(
            "tags",
            Json,
            nullable=False,
        ),
        sa.Column("speed", sa.Integer(), nullable=False),
        sa.Column("service", sa.Integer(), nullable=False),
        sa.Column("delivery", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("shown_name", sa.String(length=40), nullable=True),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("replied_by", sa.String(length=100), nullable=True),
        sa.Column("replied_at", Time, nullable=True),
        sa.Column(
            "follow_up",
            Json,
            nullable=True,
        ),
        sa.CheckConstraint("level BETWEEN 1 AND 5", name=op.f("ck_ratings_level")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ratings")),
        sa.UniqueConstraint("order_id", name=op.f("uq_ratings_order_id")),
    )
    op.create_index("ix_ratings_item_created", "ratings", ["item_code", "created_at"], unique=False)
    op.create_table(
        "cases",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("item_code", sa.String(length=64), nullable=True),
        sa.Column("applicant_id", sa.String(length=100), nullable=False),
        sa.Column("rating_id", sa.String(length=40), nullable=True),
        sa.Column("category", sa.String(length=30), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("opened_at", Time, nullable=False),
        sa.Column("contact_by", Time, nullable=False),
        sa.Column("answer_by", Time, nullable=False),
        sa.Column("contacted_at", Time, nullable=True),
        sa.Column("contacted_by", sa.String(length=100), nullable=True),
        sa.Column("contact_note", sa.Text(), nullable=True),
        sa.Column("first_answered_at", Time, nullable=True),
        sa.Column("answered_at", Time, nullable=True),
        sa.Column("answered_by", sa.String(length=100), nullable=True),
        sa.Column("feedback", sa.Text(), nullable=True),
        sa.Column("reopened_at", Time, nullable=True),
        sa.Column("reopened_answered_by", sa.String(length=100), nullable=True),
        sa.Column("closed_at", Time, nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("updated_at", Time, nullable=False),
        sa.CheckConstraint("kind IN ('bad_rating', 'complaint')", name=op.f("ck_cases_kind")),
        sa.CheckConstraint(
            "status IN ('open', 'contacted', 'answered', 'escalated', 'closed')",
            name=op.f("ck_cases_status"),
        ),
        sa.ForeignKeyConstraint(
            ["rating_id"], ["ratings.id"], name=op.f("fk_cases_rating_id_ratings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    op.create_index("ix_cases_applicant", "cases", ["applicant_id", "opened_at"], unique=False)
    op.create_index(op.f("ix_cases_order_id"), "cases", ["order_id"], unique=False)
    op.create_index("ix_cases_status_opened", "cases", ["status", "opened_at"], unique=False)
    op.create_table(
        "case_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("author_id", sa.String(length=100), nullable=False),
        sa.Column("author_role", sa.String(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_messages_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_messages")),
    )
    op.create_index(op.f("ix_case_messages_case_id"), "case_messages", ["case_id"], unique=False)
    create_bus_tables(op)


def downgrade() -> None:
    drop_bus_tables(op)
    op.drop_index(op.f("ix_case_messages_case_id"), table_name="case_messages")
    op.drop_table("case_messages")
    op.drop_index("ix_cases_status_opened", table_name="cases")
    op.drop_index(op.f("ix_cases_order_id"), table_name="cases")
    op.drop_index("ix_cases_applicant", table_name="cases")
    op.drop_table("cases")
    op.drop_index("ix_ratings_item_created", table_name="ratings")
    op.drop_table("ratings")
    op.drop_index("ix_orders_completed_uninvited", table_name="orders")
    op.drop_table("orders")
    op.drop_table("daily_counts")
