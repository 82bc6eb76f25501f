"""The gateway's tables: accounts, staff roles, sessions and sign-in failures.

Session ids and API tokens are stored only as SHA-256 hashes, so a copy of the
database cannot be replayed as a live session. Sign-in failures are rows (not
process memory) so the rate limit holds across every gateway process.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

metadata = MetaData()

_id_type = BigInteger().with_variant(Integer(), "sqlite")

accounts = Table(
    "accounts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(16), nullable=False),  # "applicant" or "staff"
    Column("email", String(254), nullable=True),
    Column("mobile", String(11), nullable=True),
    Column("password_hash", String(255), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("kind", "email", name="uq_accounts_kind_email"),
    UniqueConstraint("kind", "mobile", name="uq_accounts_kind_mobile"),
)

account_roles = Table(
    "account_roles",
    metadata,
    Column(
        "account_id",
        String(36),
        ForeignKey("accounts.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("role", String(32), primary_key=True),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column(
        "account_id",
        String(36),
        ForeignKey("accounts.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("kind", String(16), nullable=False),  # "browser" (cookie) or "api" (bearer token)
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_sessions_account_id", "account_id"),
    Index("ix_sessions_expires_at", "expires_at"),
)

sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("id", _id_type, primary_key=True, autoincrement=True),
    Column("account_key", String(300), nullable=False),
    Column("ip", String(64), nullable=False),
    Column("failed_at", DateTime(timezone=True), nullable=False),
    Index("ix_sign_in_failures_key_ip_at", "account_key", "ip", "failed_at"),
)
