"""The outbox and inbox tables every service database carries.

They live in their own MetaData so each service's Alembic environment can
include them next to its own tables (see `create_bus_tables` for migrations).

On PostgreSQL the outbox carries a statement trigger, created with the table,
that does `NOTIFY outbox` after every insert: delivered when the transaction
commits, dropped on rollback, one per transaction however many events it
wrote. It wakes the relay at once (common.events.wakeup) without a round trip
of the writer's own. `install_outbox_trigger` adds it to an outbox made before.
"""

from __future__ import annotations

from sqlalchemy import (
    DDL,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    event,
    text,
)
from sqlalchemy.engine import Connection

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

OUTBOX_CHANNEL = "outbox"
OUTBOX_TRIGGER = "outbox_notify"
_NOTIFY_FUNCTION = DDL(
    f"CREATE OR REPLACE FUNCTION {OUTBOX_TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN PERFORM pg_notify('{OUTBOX_CHANNEL}', ''); RETURN NULL; END $$"
)
_NOTIFY_TRIGGER = DDL(
    f"CREATE OR REPLACE TRIGGER {OUTBOX_TRIGGER} AFTER INSERT ON outbox "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {OUTBOX_TRIGGER}()"
)
_DROP_FUNCTION = DDL(f"DROP FUNCTION IF EXISTS {OUTBOX_TRIGGER}()")
for _ddl in (_NOTIFY_FUNCTION, _NOTIFY_TRIGGER):
    event.listen(outbox, "after_create", _ddl.execute_if(dialect="postgresql"))
event.listen(outbox, "after_drop", _DROP_FUNCTION.execute_if(dialect="postgresql"))


def install_outbox_trigger(connection: Connection) -> None:
    """Add the NOTIFY trigger to an existing outbox (PostgreSQL 14 or later; idempotent)."""
    if connection.dialect.name == "postgresql":
        connection.execute(_NOTIFY_FUNCTION)
        connection.execute(_NOTIFY_TRIGGER)


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
