"""When orders last asked the wallet about a payment's trade, so the worker's
sweep spaces its queries out instead of asking on every tick.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Null: never asked (every trade opened before this revision), due at once.
    with op.batch_alter_table("payments") as batch:
        batch.add_column(sa.Column("wallet_queried_at", Time, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        batch.drop_column("wallet_queried_at")
