"""The relay wakes at a commit (PostgreSQL LISTEN/NOTIFY) and still polls as the fallback.

Each relay here idles for 30 s between polls, far longer than any wait in the
test, so an event that arrives within the wait was brought by the wake-up.
"""

from __future__ import annotations

import threading

import psycopg
import pytest
from sqlalchemy import text

from common.events import topology
from common.events.rabbit import RabbitTransport
from common.events.relay import run_relay
from common.events.tables import OUTBOX_TRIGGER, install_outbox_trigger
from common.events.testkit import bus_engine, publish_in_outbox, queue_depth, rabbit_topology
from common.events.wakeup import CHANNEL, OutboxListener, Sleep, conninfo, outbox_wakeup
from common.testing import eventually, fresh_postgres_database

SERVICE = "svc"
DELAYS = (100,)
LONG_IDLE = 30.0
WAIT = 10.0


@pytest.fixture
def engine():
    with fresh_postgres_database("wakeup") as url:
        engine = bus_engine(url)
        yield engine
        engine.dispose()


@pytest.fixture
def rabbit():
    with rabbit_topology([SERVICE], DELAYS) as (url, prefix):
        transport = RabbitTransport(url, prefix)
        transport.declare(SERVICE, ["test.*"], DELAYS)
        yield url, transport, topology.main_queue(prefix, SERVICE)


class RunningRelay:
    def __init__(self, engine, transport, idle: float, wakeup) -> None:
        self.stop = threading.Event()
        self.publisher = transport.publisher()
        self.thread = threading.Thread(
            target=run_relay,
            args=(engine, self.publisher, self.stop, 500, idle, wakeup),
            daemon=True,
        )
        self.thread.start()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(10)
        self.publisher.close()


def _terminate(engine, pid: int) -> None:
    with psycopg.connect(conninfo(engine), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_a_commit_with_events_notifies_the_outbox_channel(engine):
    with psycopg.connect(conninfo(engine), autocommit=True) as listener:
        listener.execute(f"LISTEN {CHANNEL}")
        publish_in_outbox(engine, 3)
        heard = list(listener.notifies(timeout=WAIT, stop_after=1))
    assert [notify.channel for notify in heard] == [CHANNEL]  # one per transaction


def test_an_outbox_made_before_the_trigger_gets_it_from_install_outbox_trigger(engine):
    with engine.begin() as connection:
        connection.execute(text(f"DROP TRIGGER {OUTBOX_TRIGGER} ON outbox"))
    with engine.begin() as connection:
        install_outbox_trigger(connection)
        install_outbox_trigger(connection)  # idempotent
    with psycopg.connect(conninfo(engine), autocommit=True) as listener:
        listener.execute(f"LISTEN {CHANNEL}")
        publish_in_outbox(engine, 1)
        heard = list(listener.notifies(timeout=WAIT, stop_after=1))
    assert [notify.channel for notify in heard] == [CHANNEL]


def test_an_idle_relay_publishes_a_commit_long_before_its_next_poll(engine, rabbit):
    url, transport, queue = rabbit
    relay = RunningRelay(engine, transport, LONG_IDLE, outbox_wakeup(engine))
    try:
        publish_in_outbox(engine, 1)
        eventually(lambda: queue_depth(url, queue) == 1, timeout=WAIT)
        # Now the relay idles: only the notification can bring the next one in time.
        publish_in_outbox(engine, 2)
        eventually(lambda: queue_depth(url, queue) == 3, timeout=WAIT)
    finally:
        relay.close()


def test_the_poll_still_relays_while_the_listening_connection_is_broken(engine, rabbit):
    url, transport, queue = rabbit
    # It will not reconnect during the test: only the poll can bring the event.
    listener = OutboxListener(conninfo(engine), retry_seconds=3600)
    relay = RunningRelay(engine, transport, 0.2, listener)
    try:
        pid = listener.backend_pid()
        assert pid is not None
        _terminate(engine, pid)
        publish_in_outbox(engine, 1)
        eventually(lambda: queue_depth(url, queue) == 1, timeout=WAIT)
        eventually(lambda: not listener.listening, timeout=WAIT)
        publish_in_outbox(engine, 1)
        eventually(lambda: queue_depth(url, queue) == 2, timeout=WAIT)
        assert relay.thread.is_alive()
    finally:
        relay.close()


def test_a_broken_listening_connection_is_reopened_and_wakes_the_relay_again(engine, rabbit):
    url, transport, queue = rabbit
    listener = OutboxListener(conninfo(engine), retry_seconds=0)
    relay = RunningRelay(engine, transport, LONG_IDLE, listener)
    try:
        first = listener.backend_pid()
        _terminate(engine, first)
        eventually(lambda: listener.listening and listener.backend_pid() != first, timeout=WAIT)
        publish_in_outbox(engine, 1)
        eventually(lambda: queue_depth(url, queue) == 1, timeout=WAIT)
    finally:
        relay.close()


def test_a_relay_on_sqlite_polls(tmp_path):
    engine = bus_engine(f"sqlite:///{tmp_path / 'relay.db'}")
    try:
        assert isinstance(outbox_wakeup(engine), Sleep)
    finally:
        engine.dispose()


def test_a_listener_that_cannot_connect_polls_instead_of_failing(engine):
    listener = OutboxListener("postgresql://postgres@127.0.0.1:1/none", retry_seconds=3600)
    stop = threading.Event()
    assert not listener.listening
    listener.wait(0.01, stop)  # returns after the timeout, like a sleep
    listener.close()
