"""Wallet payments: the method a payment is made with (card, page wallet, QR
wallet), the wallet's cashier link or QR payload and when its trade was
opened; the wallet sandbox's trades and the notifications it owes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        batch.add_column(sa.Column("method", sa.String(16), nullable=False, server_default="card"))
        batch.add_column(sa.Column("wallet_link", sa.Text(), nullable=True))
        batch.add_column(sa.Column("wallet_opened_at", Time, nullable=True))
    # The sandbox's RSA key pair, made by the first process that needs it and
    # shared by every other (web workers and the worker verify the same key).
    op.create_table(
        "wallet_keys",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("pem", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_wallet_keys"),
    )
    op.create_table(
        "wallet_trades",
        sa.Column("out_trade_no", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("trade_no", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("amount_fen", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("captured_fen", sa.Integer, nullable=False),
        sa.Column("refunded_fen", sa.Integer, nullable=False),
        sa.Column("refund_requests", sa.Text, nullable=False),
        sa.Column("notify_url", sa.Text, nullable=False),
        sa.Column("return_url", sa.Text, nullable=True),
        sa.Column("expires_at", Time, nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("updated_at", Time, nullable=False),
        sa.PrimaryKeyConstraint("out_trade_no", name="pk_wallet_trades"),
        sa.UniqueConstraint("trade_no", name="uq_wallet_trades_trade_no"),
    )
    op.create_table(
        "wallet_notices",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("out_trade_no", sa.String(64), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("content_type", sa.String(60), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("due_at", Time, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("delivered_at", Time, nullable=True),
        sa.Column("abandoned_at", Time, nullable=True),
        sa.Column("last_status", sa.Integer, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_wallet_notices"),
        sa.ForeignKeyConstraint(
            ["out_trade_no"],
            ["wallet_trades.out_trade_no"],
            name="fk_wallet_notices_out_trade_no_wallet_trades",
        ),
    )
    op.create_index("ix_wallet_notices_due_at", "wallet_notices", ["due_at"])
    op.create_index(
        "ix_wallet_notices_out_trade_no",
        "wallet_notices",
        ["out_trade_no"],
    )


def downgrade() -> None:
    op.drop_table("wallet_notices")
    op.drop_table("wallet_trades")
    op.drop_table("wallet_keys")
    with op.batch_alter_table("payments") as batch:
        batch.drop_column("wallet_opened_at")
        batch.drop_column("wallet_link")
        batch.drop_column("method")
