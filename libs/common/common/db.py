"""Engines, table metadata and the unit of work.

A use case runs inside `with uow:`; it changes rows through `uow.session`,
records events with `uow.publish(...)` (they go to the outbox table in the
same transaction) and calls `uow.commit()`. Leaving the block without a
commit rolls everything back, events included: nothing half-written and
nothing published for a change that did not happen.

What a service builds from here, once, in create_app() / build_worker():

    # <service>/models.py
    metadata = make_metadata()

    class Base(DeclarativeBase):
        metadata = metadata

    # <service>/app.py
    engine = make_engine(settings.database_url)
    uow_factory = unit_of_work_factory(engine, SERVICE, clock)
    with uow_factory() as uow:
        ...
        uow.commit()
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from types import TracebackType
from typing import Any

from sqlalchemy import MetaData, create_engine, event, insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from common.clock import Clock, SystemClock
from common.events.envelope import Envelope
from common.events.tables import outbox

POOL_CEILING = 15


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine suited to the URL: pooled PostgreSQL, or thread-safe SQLite."""
    if url.startswith("sqlite"):
        options: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
        if url in {"sqlite://", "sqlite:///:memory:"}:
            options["poolclass"] = StaticPool
        engine = create_engine(url, **options, **kwargs)
        _tune_sqlite(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    kwargs.setdefault("pool_pre_ping", True)
    # DATABASE_POOL_SIZE: connections kept open while idle; whatever it says, a
    # process opens at most POOL_CEILING at once (the rest close when returned).
    # Test stacks keep fewer, so parallel stacks fit in PostgreSQL's 100.
    pool_size = int(os.environ.get("DATABASE_POOL_SIZE") or 5)
    kwargs.setdefault("pool_size", pool_size)
    kwargs.setdefault("max_overflow", max(POOL_CEILING - pool_size, 0))
    return create_engine(url, **kwargs)


def _tune_sqlite(engine: Engine) -> None:
    # WAL lets the one-process mode's worker thread read while a request writes.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


# Constraint names Alembic can drop and recreate by name on PostgreSQL and SQLite alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def make_metadata() -> MetaData:
    """A service's one MetaData, with the constraint naming every service uses."""
    return MetaData(naming_convention=dict(NAMING_CONVENTION))


def unit_of_work_factory(
    engine: Engine, producer: str, clock: Clock | None = None
) -> Callable[[], UnitOfWork]:
    """`uow_factory()` → a new UnitOfWork on the engine, publishing as `producer`.

    Build one per process (the app's and the worker's) and hand it to whatever
    runs use cases: views, handlers, timers."""
    sessions = make_session_factory(engine)
    clock = clock or SystemClock()

    def uow_factory() -> UnitOfWork:
        return UnitOfWork(sessions, producer, clock)

    return uow_factory


class UnitOfWork:
    """One transaction: state changes and the events they cause, together."""

    def __init__(
        self,
        session_factory: Callable[[], Session],
        producer: str,
        clock: Clock | None = None,
    ) -> None:
        self._session_factory = session_factory
        self.producer = producer
        self.clock: Clock = clock or SystemClock()
        self._session: Session | None = None
        self._cause: Envelope | None = None
        self._deferring = False
        self.published: list[Envelope] = []

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is used outside its 'with' block")
        return self._session

    def __enter__(self) -> UnitOfWork:
        self._session = self._session_factory()
        self.published = []
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.rollback()
        finally:
            self.session.close()
            self._session = None
            self._cause = None

    def read_one_snapshot(self) -> None:
        """Every statement of this transaction reads the same snapshot (PostgreSQL's
        REPEATABLE READ). Under the default READ COMMITTED each statement sees the latest
        commit, so a view built from several queries can mix before and after another
        transaction: an order still awaiting payment beside its payment already authorised.
        For reads; call before the first statement. (A write in such a transaction can
        fail on a concurrent update, so use cases that write keep the default. SQLite's
        reads already hold one snapshot per transaction.)"""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})

    def caused_by(self, cause: Envelope | None) -> UnitOfWork:
        """Events published in this transaction carry the cause's ids."""
        self._cause = cause
        return self

    def publish(
        self,
        event_type: str,
        data: dict[str, Any],
        *,
        correlation_id: str | None = None,
        version: int = 1,
        occurred_at: datetime | None = None,
    ) -> Envelope:
        """Record an event in the outbox, inside this transaction."""
        cause = self._cause
        envelope = Envelope(
            type=event_type,
            producer=self.producer,
            data=json.loads(json.dumps(data, default=str)),
            version=version,
            occurred_at=occurred_at or self.clock.now(),
            correlation_id=correlation_id or (cause.correlation_id if cause else None),
            causation_id=cause.id if cause else None,
        )
        self.session.execute(
            insert(outbox).values(
                event_id=envelope.id,
                event_type=envelope.type,
                correlation_id=envelope.correlation_id,
                body=envelope.to_json().decode(),
                created_at=self.clock.now(),
            )
        )
        self.published.append(envelope)
        return envelope

    @contextmanager
    def deferring_commit(self) -> Iterator[UnitOfWork]:
        """Inside, commit() only flushes: whoever owns the transaction commits once, after.

        The event dispatcher handles a batch of events in one transaction; an
        event handler written as `...; uow.commit()` must not commit half a batch.
        Rolling back in there would undo the other events' work too, so it is
        refused: a handler raises to undo its own changes.
        """
        self._deferring = True
        try:
            yield self
        finally:
            self._deferring = False

    def commit(self) -> None:
        if self._deferring:
            self.session.flush()
            return
        self.session.commit()

    def rollback(self) -> None:
        if self._deferring:
            raise RuntimeError("an event handler raises to undo its changes; it never rolls back")
        self.session.rollback()
