"""Timers carry what their work needs: the capture after an approval keeps the
reviewer and the approval time, the release of the money after a rejection
keeps the reason code.

Revision ID: 0003
Revises: 0002
Create Date: 2026-03-16
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.add_column("timers", sa.Column("details", Json, nullable=True))


def downgrade() -> None:
    op.drop_column("timers", "details")
