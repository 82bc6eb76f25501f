"""The fixtures every service's tests need, in one pytest plugin.

It is registered in the `pytest11` entry-point group of licensing-common, so
installing libs/common is enough: no conftest imports it. The fixture names are
specific (`frozen_clock`, not `clock`) so that a conftest's own fixture of a
common name is never shadowed, and a service adopts them when it chooses.

- `migrated_postgres(upgrade, stem)` (session): a fresh PostgreSQL database with
  the service's migrations applied; returns its URL; dropped when the session ends.
- `frozen_clock`: a FrozenClock at FROZEN_AT (09:00 Beijing time, 2 March 2026)
  that only moves when the test calls `.advance(timedelta(...))`.
- `memory_bus`: an in-memory bus on that clock, so delayed retries are stepped
  by advancing the clock, never by sleeping.
- `rabbitmq_url`: the URL of a running RabbitMQ, or the test fails with a message
  saying how to start one (never skipped).
- `service_database_fixtures(upgrade, stem, tables)` (a function, not a fixture):
  the four fixtures every service's tests/service/conftest.py declared the same
  way, for the conftest to bind under their usual names (see below).
- `outbox_events`: outbox_events() → the events in the outbox of the conftest's
  `db`, oldest first, as parsed envelopes; outbox_events("orders.submitted")
  → only those of that type. Only where a conftest binds `db`.
- `no_network`: any attempt to open a connection (a socket, or PostgreSQL through
  libpq, which opens its own) fails the test that made it. A service's
  tests/unit/conftest.py makes it autouse, so the unit layer keeps its promise.

A service's conftest.py declares only what is its own (its migrations, the
tables to empty) and binds the fixtures it gets back to the names its tests use:

    TABLES = ("items", "outbox", "inbox")
    database_url, engine, db, clock = service_database_fixtures(
        upgrade, "catalog_test", TABLES
    )

- `database_url` (session): its migrated database, as migrated_postgres gives it;
- `engine` (session): an engine on it, disposed when the session ends;
- `db`: that engine, with TABLES emptied (sequences restarted) before the test;
- `clock`: the frozen_clock.

    def test_a_retry_waits_its_delay(memory_bus, frozen_clock):
        ...
        frozen_clock.advance(timedelta(seconds=1))

A service's tests/unit/conftest.py:

    @pytest.fixture(autouse=True)
    def _unit_tests_open_no_connection(no_network):
        pass
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any, NamedTuple

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from common.clock import FrozenClock
from common.db import make_engine
from common.events.memory import MemoryBus
from common.testing import migrated_database, require_rabbitmq, truncate

FROZEN_AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)

MigratedPostgres = Callable[[Callable[[str], None], str], str]


@pytest.fixture(scope="session")
def migrated_postgres() -> Iterator[MigratedPostgres]:
    """migrated_postgres(upgrade, stem) → the URL of a new, migrated database."""
    with ExitStack() as databases:

        def make(upgrade: Callable[[str], None], stem: str) -> str:
            return databases.enter_context(migrated_database(upgrade, stem))

        yield make


class ServiceDatabaseFixtures(NamedTuple):
    database_url: Any
    engine: Any
    db: Any
    clock: Any


def service_database_fixtures(
    upgrade: Callable[[str], None], stem: str, tables: Sequence[str], *, max_overflow: int = 2
) -> ServiceDatabaseFixtures:
    """The database fixtures of a service's tests, made for its migrations and tables.

    They are made here but registered where the conftest binds them, so each
    service's tests see only their own database; pytest finds a fixture by the
    name it is bound to in the conftest module."""
    tables = tuple(tables)

    @pytest.fixture(scope="session")
    def database_url(migrated_postgres: MigratedPostgres) -> str:
        return migrated_postgres(upgrade, stem)

    @pytest.fixture(scope="session")
    def engine(database_url: str) -> Iterator[Engine]:
        engine = make_engine(database_url, pool_size=2, max_overflow=max_overflow)
        yield engine
        engine.dispose()

    @pytest.fixture
    def db(engine: Engine) -> Engine:
        """The session's database, emptied before the test."""
        return truncate(engine, tables)

    @pytest.fixture
    def clock(frozen_clock: FrozenClock) -> FrozenClock:
        return frozen_clock

    return ServiceDatabaseFixtures(database_url, engine, db, clock)


@pytest.fixture
def outbox_events(db: Engine) -> Callable[..., list[dict[str, Any]]]:
    def read(event_type: str | None = None) -> list[dict[str, Any]]:
        with db.connect() as connection:
            bodies = connection.execute(text("SELECT body FROM outbox ORDER BY id")).scalars()
            events = [json.loads(body) for body in bodies]
        return [event for event in events if event_type in (None, event["type"])]

    return read


@pytest.fixture
def frozen_clock() -> FrozenClock:
    return FrozenClock(FROZEN_AT)


@pytest.fixture
def memory_bus(frozen_clock: FrozenClock) -> MemoryBus:
    return MemoryBus("test", clock=frozen_clock)


@pytest.fixture(scope="session")
def rabbitmq_url() -> str:
    return require_rabbitmq()


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("a unit test tried to open a connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(psycopg, "connect", refuse)
    monkeypatch.setattr(psycopg.Connection, "connect", refuse)
