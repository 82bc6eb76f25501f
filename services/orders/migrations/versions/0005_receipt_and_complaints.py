"""Receipt: the complaints about an order that are open (they pause the
auto-confirm timer), and a timer's time left while it is paused.

Revision ID: 0005
Revises: 0004
Create Date: 2026-04-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Set only while the timer is paused; the sweep skips a paused timer.
    op.add_column("timers", sa.Column("paused_left_seconds", sa.Float(), nullable=True))
    op.create_table(
        "order_complaints",
        sa.Column("order_id", sa.String(36), sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("complaint_id", sa.String(100), nullable=False),
        # Either may arrive first: a closing seen before its opening has no opened_at yet.
        sa.Column("opened_at", Time, nullable=True),
        sa.Column("closed_at", Time, nullable=True),
        sa.PrimaryKeyConstraint("order_id", "complaint_id", name="pk_order_complaints"),
    )


def downgrade() -> None:
    op.drop_table("order_complaints")
    with op.batch_alter_table("timers") as batch:
        batch.drop_column("paused_left_seconds")
