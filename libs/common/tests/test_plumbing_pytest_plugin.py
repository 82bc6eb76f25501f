"""The shared fixtures of common.pytest_plugin, as a service's tests use them."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from common.db import make_engine
from common.events.consumer import Dispatcher
from common.events.tables import bus_metadata
from common.events.testkit import EVENT_TYPE, bus_engine, envelope, uow_factory
from common.pytest_plugin import FROZEN_AT, service_database_fixtures


def _create_bus_tables(url: str) -> None:
    engine = make_engine(url)
    bus_metadata.create_all(engine)
    engine.dispose()


def _create_notes_and_bus_tables(url: str) -> None:
    engine = make_engine(url)
    bus_metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE notes (id serial PRIMARY KEY, body text)"))
    engine.dispose()


# Bound here as a service's conftest binds them, so these tests see them as its tests do.
database_url, engine, db, clock = service_database_fixtures(
    _create_notes_and_bus_tables, "plugin_notes_test", ("notes", "outbox", "inbox")
)


def _notes(engine) -> list[tuple[int, str]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text("SELECT id, body FROM notes"))]


def test_the_service_engine_reaches_the_migrated_database_of_database_url(database_url, engine):
    assert engine.url.database == sa.make_url(database_url).database
    assert _notes(engine) == []


def test_db_empties_the_services_tables_and_restarts_their_sequences_before_the_test(
    engine, request
):
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO notes (body) VALUES ('left over')"))
    emptied = request.getfixturevalue("db")
    assert emptied is engine
    assert _notes(engine) == []
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO notes (body) VALUES ('new')"))
    assert _notes(engine) == [(1, "new")]


def test_outbox_events_reads_the_outbox_of_db_oldest_first_and_of_one_type_when_asked(
    db, outbox_events
):
    with db.begin() as connection:
        for n, event_type in enumerate(("svc.first", "svc.second", "svc.first")):
            connection.execute(
                sa.text(
                    "INSERT INTO outbox (event_id, event_type, body, created_at)"
                    " VALUES (:id, :type, :body, now())"
                ),
                {"id": f"event-{n}", "type": event_type, "body": f'{{"type": "{event_type}"}}'},
            )
    assert [event["type"] for event in outbox_events()] == ["svc.first", "svc.second", "svc.first"]
    assert outbox_events("svc.second") == [{"type": "svc.second"}]


def test_the_service_clock_is_the_frozen_clock(clock, frozen_clock):
    assert clock is frozen_clock


def test_migrated_postgres_gives_a_new_database_with_the_migrations_applied(migrated_postgres):
    first = migrated_postgres(_create_bus_tables, "plugin_test")
    second = migrated_postgres(_create_bus_tables, "plugin_test")
    assert first != second
    engine = make_engine(first)
    try:
        assert {"outbox", "inbox"} <= set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_the_frozen_clock_moves_only_when_told(frozen_clock):
    assert frozen_clock.now() == FROZEN_AT
    frozen_clock.advance(timedelta(minutes=5))
    assert frozen_clock.now() == FROZEN_AT + timedelta(minutes=5)


def test_the_memory_bus_waits_a_retrys_delay_on_the_frozen_clock(
    memory_bus, frozen_clock, tmp_path
):
    engine = bus_engine(f"sqlite:///{tmp_path / 'plugin.db'}")
    failures = []

    def fail_once(event, uow):
        if not failures:
            failures.append(event.id)
            raise RuntimeError("first attempt fails")

    memory_bus.declare("svc", [EVENT_TYPE], delays_ms=[1000])
    dispatcher = Dispatcher("svc", {EVENT_TYPE: fail_once}, uow_factory(engine), max_attempts=3)
    memory_bus.publish_batch([envelope()])
    memory_bus.process("svc", dispatcher)
    assert memory_bus.waiting_retries("svc") == 1
    frozen_clock.advance(timedelta(milliseconds=999))
    assert memory_bus.process("svc", dispatcher) == 0
    frozen_clock.advance(timedelta(milliseconds=1))
    assert memory_bus.process("svc", dispatcher) == 1
    assert memory_bus.idle("svc")


def test_rabbitmq_url_names_a_reachable_broker(rabbitmq_url):
    assert rabbitmq_url.startswith("amqp://")


def test_no_network_refuses_a_socket_and_a_postgresql_connection(no_network):
    import socket

    import psycopg
    import pytest

    from common.testing import postgres_url

    with pytest.raises(AssertionError, match="a unit test tried to open a connection"):
        socket.create_connection(("127.0.0.1", 5432), timeout=1)
    with pytest.raises(AssertionError, match="a unit test tried to open a connection"):
        psycopg.connect(postgres_url("postgres").replace("+psycopg", ""))
