"""The form's answers (the applicant's name, ID number and mobile number) sealed at
rest: `orders.answers` holds a Fernet token under ORDERS_ENCRYPTION_KEYS (as a
JSON string) instead of the answers in clear.

Orders that already hold answers are sealed here with the keys of the
migration's environment (ORDERS_ENCRYPTION_KEYS, or the demo key in
DEMO_MODE); without keys the migration refuses rather than keep them in clear.
The column stays as it is, so no table is rebuilt.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from orders import sealing

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
orders = sa.table("orders", sa.column("id", sa.String), sa.column("answers", Json))


def upgrade() -> None:
    _rewrite("seal", lambda answers: sealing.seal(answers or {}))


def downgrade() -> None:
    _rewrite("open", sealing.unseal)


def _rewrite(verb: str, change) -> None:  # type: ignore[no-untyped-def]
    bind = op.get_bind()
    rows = bind.execute(sa.select(orders.c.id, orders.c.answers)).all()
    if not rows:
        return
    try:
        sealing.configure_from_env()
    except Exception as exc:
        raise RuntimeError(
            f"{len(rows)} orders hold form answers this migration must {verb}: set "
            f"{sealing.KEYS_VARIABLE} (or DEMO_MODE for demo data) and run it again ({exc})"
        ) from exc
    for order_id, answers in rows:
        bind.execute(
            sa.update(orders).where(orders.c.id == order_id).values(answers=change(answers))
        )
