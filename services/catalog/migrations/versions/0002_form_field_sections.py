"""Every form field names its section: `details` or `vehicle`.

Fields stored before sections existed get one: the vehicle questions the seed
asks (plate_*, vin*, vehicle_*, registration_*, insurance_*, or of type
plate_number) are `vehicle`, everything else `details`, the API's default.

Revision ID: 0002
Revises: 0001
Create Date: 2026-03-10
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
items = sa.table("items", sa.column("id", sa.Integer), sa.column("form_fields", Json))
VEHICLE_PREFIXES = ("plate_", "vin", "vehicle_", "registration_", "insurance_")


def _section(spec: dict[str, Any]) -> str:
    name, kind = str(spec.get("name", "")), spec.get("type")
    return "vehicle" if kind == "plate_number" or name.startswith(VEHICLE_PREFIXES) else "details"


def _rewrite(change: Any) -> None:
    connection = op.get_bind()
    for item_id, form_fields in connection.execute(sa.select(items.c.id, items.c.form_fields)):
        rewritten = [change(dict(spec)) for spec in form_fields or []]
        if rewritten != form_fields:
            connection.execute(
                items.update().where(items.c.id == item_id).values(form_fields=rewritten)
            )


def upgrade() -> None:
    _rewrite(lambda spec: {**spec, "section": spec.get("section") or _section(spec)})


def downgrade() -> None:
    _rewrite(lambda spec: {key: value for key, value in spec.items() if key != "section"})
