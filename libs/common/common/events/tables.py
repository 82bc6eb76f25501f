"""The outbox and inbox tables every service database carries.

They live in their own MetaData so each service's Alembic environment can
include them next to its own tables (see `create_bus_tables` for migrations).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

bus_metadata = MetaData()

# BigInteger on PostgreSQL, plain INTEGER on SQLite so it autoincrements there.
_id_type = BigInteger().with_variant(Integer(), "sqlite")

outbox = Table(
    "outbox",
    bus_metadata,
    Column("id", _id_type, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("event_type", String(100), nullable=False),
    Column("correlation_id", String(64), nullable=True),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Column("publish_attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text, nullable=True),
    Index(
        "ix_outbox_unsent",
        "id",
        postgresql_where=text("sent_at IS NULL"),
        sqlite_where=text("sent_at IS NULL"),
    ),
)

inbox = Table(
    "inbox",
    bus_metadata,
    Column("consumer", String(100), primary_key=True),
    Column("event_id", String(36), primary_key=True),
    Column("event_type", String(100), nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("handled_at", DateTime(timezone=True), nullable=False),
)


def create_bus_tables(op) -> None:  # type: ignore[no-untyped-def]
    """Create the outbox and inbox in an Alembic migration."""
    bind = op.get_bind()
    bus_metadata.create_all(bind, checkfirst=True)


def drop_bus_tables(op) -> None:  # type: ignore[no-untyped-def]
    bind = op.get_bind()
    bus_metadata.drop_all(bind, checkfirst=True)
