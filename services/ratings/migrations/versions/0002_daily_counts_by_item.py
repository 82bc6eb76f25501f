"""The per-day counts indexed by item and day, as /stats and the dashboard read them

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04

The primary key leads with the day, so an item's figures over twelve months
read every item's days; this index reads the one item's (or the store's).
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_daily_counts_item_day", "daily_counts", ["item_code", "day"])


def downgrade() -> None:
    op.drop_index("ix_daily_counts_item_day", table_name="daily_counts")
