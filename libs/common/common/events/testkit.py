"""Test helpers for the event bus: a tiny effect table, its handler, unique topologies.

The `effects` table gets one row each time a handler runs to completion, so
"one effect" is measured by counting rows per event id, not assumed.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.engine import Engine

from common.db import UnitOfWork, make_engine, make_session_factory
from common.events.envelope import Envelope
from common.events.tables import bus_metadata
from common.settings import CommonSettings
from common.testing import require_rabbitmq

test_metadata = MetaData()

effects = Table(
    "bus_test_effects",
    test_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False),  # not unique: duplicates must show
    Column("key", String(100), nullable=False),
)

EVENT_TYPE = "test.thing_happened"


def bus_engine(url: str) -> Engine:
    """An engine on `url` with the outbox, the inbox and the effects table created."""
    engine = make_engine(url)
    bus_metadata.create_all(engine)
    test_metadata.create_all(engine)
    return engine


def uow_factory(engine: Engine, producer: str = "test") -> Callable[[], UnitOfWork]:
    sessions = make_session_factory(engine)
    return lambda: UnitOfWork(sessions, producer)


def record_effect(event: Envelope, uow: UnitOfWork) -> None:
    """The handler under test: one effect row per handled event."""
    uow.session.execute(insert(effects), {"event_id": event.id, "key": event.data.get("key", "")})


def effects_by_event(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        query = select(effects.c.event_id, func.count()).group_by(effects.c.event_id)
        return {event_id: count for event_id, count in conn.execute(query)}


def envelope(key: str = "k", **data: object) -> Envelope:
    return Envelope(type=EVENT_TYPE, producer="test", data={"key": key, **data})


def publish_in_outbox(engine: Engine, count: int, key: str = "k") -> list[str]:
    """Commit `count` events to the outbox through a unit of work; returns their ids."""
    with uow_factory(engine)() as uow:
        ids = [uow.publish(EVENT_TYPE, {"key": key, "n": n}).id for n in range(count)]
        uow.commit()
    return ids


@contextlib.contextmanager
def rabbit_topology(
    services: Sequence[str], delays_ms: Sequence[int], stem: str = "bt"
) -> Iterator[tuple[str, str]]:
    """A unique prefix; yields (url, prefix) and deletes its queues and exchange after."""
    from common.events.rabbit import RabbitTransport

    url = require_rabbitmq()
    prefix = f"{stem}_{uuid.uuid4().hex[:10]}"
    try:
        yield url, prefix
    finally:
        transport = RabbitTransport(url, prefix)
        for service in services:
            transport.delete(service, delays_ms)
        transport.delete_exchange()


def queue_depth(url: str, queue: str) -> int:
    from common.events.rabbit import RabbitTransport

    with RabbitTransport(url, "").channel() as channel:
        return int(channel.queue_declare(queue=queue, passive=True).method.message_count)


def peek_queue(url: str, queue: str) -> list[tuple[Any, bytes]]:
    """Every message on `queue` (properties, body), left in place."""
    from common.events.rabbit import RabbitTransport

    found = []
    with RabbitTransport(url, "").channel() as channel:
        while True:
            method, properties, body = channel.basic_get(queue=queue, auto_ack=False)
            if method is None:
                break
            found.append((properties, body))
    # Closing the channel without acks puts every message back.
    return found


def worker_settings(service: str, bus_url: str = "memory://") -> CommonSettings:
    """A worker's settings for tests: short relay idle and retry delays, SQLite by default."""
    return CommonSettings(
        service=service,
        database_url="sqlite://",
        bus_url=bus_url,
        bus_prefix="t",
        internal_token_secret="not-used-here",  # noqa: S106 - a test value, never a real secret
        log_format="text",
        consumer_prefetch=20,
        max_attempts=3,
        retry_delays_ms=(10,),
        relay_batch_size=50,
        relay_idle_seconds=0.02,
    )
