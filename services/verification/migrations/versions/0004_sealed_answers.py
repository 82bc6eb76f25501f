"""The form's answers (the applicant's name and ID number) sealed at rest: a Fernet
token under VERIFICATION_ENCRYPTION_KEYS in `cases.answers_sealed` replaces the
clear JSON of `cases.answers`.

Cases that already hold answers are sealed here with the keys of the
migration's environment (VERIFICATION_ENCRYPTION_KEYS, or the demo key in
DEMO_MODE); without keys the migration refuses rather than keep or drop them.

Revision ID: 0004_sealed_answers
Revises: 0003_chat_retention
Create Date: 2026-03-16
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from verification.sealing import AnswerSeal, seal_from_env

revision = "0004_sealed_answers"
down_revision = "0003_chat_retention"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
cases = sa.table(
    "cases",
    sa.column("order_id", sa.String),
    sa.column("answers", Json),
    sa.column("answers_sealed", sa.Text),
)


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("answers_sealed", sa.Text, nullable=True))
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(cases.c.order_id, cases.c.answers).where(cases.c.answers.is_not(None))
    ).all()
    if rows:
        seal = _seal(len(rows), "seal")
        for order_id, answers in rows:
            bind.execute(
                sa.update(cases)
                .where(cases.c.order_id == order_id)
                .values(answers_sealed=seal.seal(answers))
            )
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("answers")


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("answers", Json, nullable=True))
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(cases.c.order_id, cases.c.answers_sealed).where(
            cases.c.answers_sealed.is_not(None)
        )
    ).all()
    if rows:
        seal = _seal(len(rows), "open")
        for order_id, token in rows:
            bind.execute(
                sa.update(cases)
                .where(cases.c.order_id == order_id)
                .values(answers=seal.unseal(token))
            )
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("answers_sealed")


def _seal(count: int, verb: str) -> AnswerSeal:
    seal = seal_from_env()
    if seal is None:
        raise RuntimeError(
            f"{count} verification cases hold form answers this migration must {verb}: "
            "set VERIFICATION_ENCRYPTION_KEYS to the service's keys and run it again"
        )
    return seal
