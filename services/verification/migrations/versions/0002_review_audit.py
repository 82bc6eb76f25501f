"""The review: the case's queue, assignee, rounds and decision; each document's
verdict; the answer checks; and the append-only audit log.

Revision ID: 0002_review_audit
Revises: 0001
Create Date: 2026-03-09
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002_review_audit"
down_revision = "0001"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Time = sa.DateTime(timezone=True)
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite numbers only INTEGER keys

OLD_STATUSES = "status IN ('collecting', 'locked', 'closed')"
STATUSES = (
    "status IN ('collecting', 'locked', 'queued', 'in_review', 'awaiting_applicant', 'closed')"
)

# The database itself refuses to change or remove an audit entry, so no code
# path (nor a hurried operator in psql) can rewrite the history.
POSTGRES_APPEND_ONLY = """
CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
"""
SQLITE_APPEND_ONLY = [
    f"""CREATE TRIGGER audit_entries_no_{verb.lower()} BEFORE {verb} ON audit_entries
    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only: {verb} refused'); END"""
    for verb in ("UPDATE", "DELETE")
]


def upgrade() -> None:
    with op.batch_alter_table("cases") as cases:
        cases.drop_constraint("ck_cases_status", type_="check")
        # "awaiting_applicant" is longer than the 16 characters 0001 allowed.
        cases.alter_column("status", type_=sa.String(32), existing_nullable=False)
        cases.create_check_constraint("ck_cases_status", STATUSES)
        cases.add_column(sa.Column("sla_working_days", sa.Integer, nullable=True))
        cases.add_column(sa.Column("answers", Json, nullable=True))
        cases.add_column(sa.Column("queued_at", Time, nullable=True))
        cases.add_column(sa.Column("sla_due_at", Time, nullable=True))
        cases.add_column(sa.Column("assignee_id", sa.String(64), nullable=True))
        cases.add_column(sa.Column("review_started_at", Time, nullable=True))
        cases.add_column(sa.Column("round", sa.Integer, nullable=False, server_default="0"))
        cases.add_column(sa.Column("resubmission_deadline", Time, nullable=True))
        cases.add_column(sa.Column("awaiting_since", Time, nullable=True))
        cases.add_column(sa.Column("decision", Json, nullable=True))
    op.create_index("ix_cases_status_queued_at", "cases", ["status", "queued_at"])
    op.create_index("ix_cases_assignee_id", "cases", ["assignee_id"])
    with op.batch_alter_table("documents") as documents:
        documents.add_column(sa.Column("verdict", sa.String(16), nullable=True))
        documents.add_column(sa.Column("verdict_reason_code", sa.String(32), nullable=True))
        documents.add_column(sa.Column("verdict_note", sa.String(500), nullable=True))
        documents.add_column(sa.Column("verdict_by", sa.String(64), nullable=True))
        documents.add_column(sa.Column("verdict_at", Time, nullable=True))
        documents.add_column(sa.Column("replaced_in_round", sa.Integer, nullable=True))
    op.create_table(
        "case_checks",
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("result", sa.String(16), nullable=False),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("checked_by", sa.String(64), nullable=False),
        sa.Column("checked_at", Time, nullable=False),
        sa.PrimaryKeyConstraint("order_id", "code", name="pk_case_checks"),
        sa.ForeignKeyConstraint(
            ["order_id"], ["cases.order_id"], name="fk_case_checks_order_id_cases"
        ),
        sa.CheckConstraint("result IN ('match', 'mismatch')", name="ck_case_checks_result"),
    )
    op.create_table(
        "audit_entries",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("at", Time, nullable=False),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("actor_role", sa.String(32), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("reference", sa.String(64), nullable=True),
        sa.Column("document_code", sa.String(64), nullable=True),
        sa.Column("field", sa.String(64), nullable=True),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("details", Json, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_entries"),
    )
    op.create_index("ix_audit_entries_order_id", "audit_entries", ["order_id"])
    op.create_index("ix_audit_entries_actor_id", "audit_entries", ["actor_id"])
    op.create_index("ix_audit_entries_at", "audit_entries", ["at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_APPEND_ONLY)
    else:
        for statement in SQLITE_APPEND_ONLY:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_entries_append_only ON audit_entries")
        op.execute("DROP FUNCTION audit_entries_append_only()")
    op.drop_table("audit_entries")  # drops its SQLite triggers with it
    op.drop_table("case_checks")
    with op.batch_alter_table("documents") as documents:
        for column in (
            "replaced_in_round",
            "verdict_at",
            "verdict_by",
            "verdict_note",
            "verdict_reason_code",
            "verdict",
        ):
            documents.drop_column(column)
    op.drop_index("ix_cases_assignee_id", table_name="cases")
    op.drop_index("ix_cases_status_queued_at", table_name="cases")
    with op.batch_alter_table("cases") as cases:
        for column in (
            "decision",
            "awaiting_since",
            "resubmission_deadline",
            "round",
            "review_started_at",
            "assignee_id",
            "sla_due_at",
            "queued_at",
            "answers",
            "sla_working_days",
        ):
            cases.drop_column(column)
        cases.drop_constraint("ck_cases_status", type_="check")
        cases.create_check_constraint("ck_cases_status", OLD_STATUSES)
