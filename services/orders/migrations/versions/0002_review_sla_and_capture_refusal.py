"""The review: each order keeps its item's SLA (orders.submitted carries it to
verification's queue), and the sandbox remembers an authorisation whose capture
its test card refuses.

Orders drafted before this revision have no SLA until their draft changes or
is submitted (both read the catalog again); see orders.services._submitted.

Revision ID: 0002
Revises: 0001
Create Date: 2026-03-09
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("orders", sa.Column("sla_working_days", sa.Integer, nullable=True))
    op.add_column("sandbox_payments", sa.Column("capture_refusal", sa.String(40), nullable=True))


def downgrade() -> None:
    op.drop_column("sandbox_payments", "capture_refusal")
    op.drop_column("orders", "sla_working_days")
