"""A text field's format is a name from a fixed list; a withdrawal keeps its reason.

The seeded items carried free regular expressions; each one the seed ever
wrote becomes its name in common.answer_patterns (`[A-HJ-NPR-Z0-9]{6}` is
`vin_last6`, `\\d{12}` on the licence file number is `licence_file_number`).
Any other expression cannot be trusted as a format and is dropped (the field
keeps its max_length; orders keeps checking the snapshots it already holds).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
items = sa.table("items", sa.column("id", sa.Integer), sa.column("form_fields", Json))
NAMED = {
    "[A-HJ-NPR-Z0-9]{6}": "vin_last6",
    "[A-HJ-NPR-Z0-9]{17}": "vin",
    r"\d{12}": "licence_file_number",
}
KNOWN_NAMES = set(NAMED.values()) | {
    "registration_certificate_number",
    "engine_number",
    "postcode",
}
REGEX = {name: regex for regex, name in NAMED.items()}


def _named(spec: dict[str, Any]) -> dict[str, Any]:
    pattern = spec.get("pattern")
    if pattern is None or pattern in KNOWN_NAMES:
        return spec
    return {**spec, "pattern": NAMED.get(pattern)}


def _regex(spec: dict[str, Any]) -> dict[str, Any]:
    pattern = spec.get("pattern")
    return {**spec, "pattern": REGEX.get(pattern, pattern)} if pattern else spec


def _rewrite(change: Any) -> None:
    connection = op.get_bind()
    for item_id, form_fields in connection.execute(sa.select(items.c.id, items.c.form_fields)):
        rewritten = [change(dict(spec)) for spec in form_fields or []]
        if rewritten != form_fields:
            connection.execute(
                items.update().where(items.c.id == item_id).values(form_fields=rewritten)
            )


def upgrade() -> None:
    op.add_column("items", sa.Column("withdrawal_reason", sa.Text(), nullable=True))
    _rewrite(_named)


def downgrade() -> None:
    _rewrite(_regex)
    op.drop_column("items", "withdrawal_reason")
