"""Each timeline entry says what kind of actor it was (applicant, staff,
provider, system), so a reader never guesses it from the actor's name.
Entries already written get the kind their actor's name has always meant.

Revision ID: 0004
Revises: 0003
Create Date: 2026-03-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# The actor names orders has written: `system`, `payment-provider`,
# `reviewer[:<id>]`, `supervisor:<id>`; anything else is the applicant
# (their account id, or `applicant` for a resubmission verification reported).
BACKFILL = """
UPDATE order_timeline SET actor_kind = CASE
    WHEN actor = 'system' THEN 'system'
    WHEN actor = 'payment-provider' THEN 'provider'
    WHEN actor = 'reviewer' OR actor LIKE 'reviewer:%' OR actor LIKE 'supervisor:%' THEN 'staff'
    ELSE 'applicant'
END
"""


def upgrade() -> None:
    op.add_column("order_timeline", sa.Column("actor_kind", sa.String(16), nullable=True))
    op.execute(BACKFILL)
    with op.batch_alter_table("order_timeline") as batch:
        batch.alter_column("actor_kind", existing_type=sa.String(16), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("order_timeline") as batch:
        batch.drop_column("actor_kind")
