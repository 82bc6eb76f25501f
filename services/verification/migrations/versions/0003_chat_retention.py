"""The order chat (messages, read markers, canned replies seeded in zh and en) and
the retention of pictures (when the order became final, when its pictures were purged).

Revision ID: 0003_chat_retention
Revises: 0002_review_audit
Create Date: 2026-03-09
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from verification.canned_replies import SEEDED

revision = "0003_chat_retention"
down_revision = "0002_review_audit"
branch_labels = None
depends_on = None

Time = sa.DateTime(timezone=True)
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite numbers only INTEGER keys


def upgrade() -> None:
    op.create_table(
        "chat_messages",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("at", Time, nullable=False),
        sa.Column("author_role", sa.String(16), nullable=False),
        sa.Column("author_id", sa.String(64), nullable=False),
        sa.Column("body", sa.String(1000), nullable=False),
        sa.Column("internal", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_chat_messages"),
        sa.ForeignKeyConstraint(
            ["order_id"], ["cases.order_id"], name="fk_chat_messages_order_id_cases"
        ),
        sa.CheckConstraint(
            "author_role IN ('applicant', 'staff')", name="ck_chat_messages_author_role"
        ),
        sa.CheckConstraint(
            "author_role = 'staff' OR NOT internal", name="ck_chat_messages_internal_staff_only"
        ),
    )
    op.create_index("ix_chat_messages_order_id", "chat_messages", ["order_id"])
    op.create_index(
        "ix_chat_messages_order_author_at", "chat_messages", ["order_id", "author_id", "at"]
    )
    op.create_table(
        "chat_read_markers",
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("side", sa.String(16), nullable=False),
        sa.Column("last_read_id", Id, nullable=False),
        sa.Column("read_at", Time, nullable=False),
        sa.PrimaryKeyConstraint("order_id", "side", name="pk_chat_read_markers"),
        sa.ForeignKeyConstraint(
            ["order_id"], ["cases.order_id"], name="fk_chat_read_markers_order_id_cases"
        ),
        sa.CheckConstraint("side IN ('applicant', 'staff')", name="ck_chat_read_markers_side"),
    )
    canned = op.create_table(
        "canned_replies",
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("text_zh", sa.String(1000), nullable=False),
        sa.Column("text_en", sa.String(1000), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_canned_replies"),
    )
    op.bulk_insert(
        canned,
        [
            {"code": code, "position": position, "text_zh": text["zh"], "text_en": text["en"]}
            for position, (code, text) in enumerate(SEEDED, start=1)
        ],
    )
    with op.batch_alter_table("cases") as cases:
        cases.add_column(sa.Column("final_at", Time, nullable=True))
        cases.add_column(sa.Column("purged_at", Time, nullable=True))
    # The purge sweep looks for final cases not purged yet, oldest first.
    op.create_index("ix_cases_final_at", "cases", ["final_at"])
    with op.batch_alter_table("documents") as documents:
        documents.add_column(sa.Column("purged_at", Time, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("documents") as documents:
        documents.drop_column("purged_at")
    op.drop_index("ix_cases_final_at", table_name="cases")
    with op.batch_alter_table("cases") as cases:
        cases.drop_column("purged_at")
        cases.drop_column("final_at")
    op.drop_table("canned_replies")
    op.drop_table("chat_read_markers")
    op.drop_index("ix_chat_messages_order_author_at", table_name="chat_messages")
    op.drop_index("ix_chat_messages_order_id", table_name="chat_messages")
    op.drop_table("chat_messages")
