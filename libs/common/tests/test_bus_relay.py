"""The outbox relay on the real PostgreSQL and RabbitMQ: claims, late commits, failures."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from common.events import topology
from common.events.rabbit import RabbitPublisher, RabbitTransport
from common.events.relay import relay_backlog, relay_once
from common.events.tables import outbox
from common.events.testkit import (
    EVENT_TYPE,
    bus_engine,
    peek_queue,
    publish_in_outbox,
    queue_depth,
    rabbit_topology,
    uow_factory,
)
from common.events.transport import PublishFailed
from common.testing import eventually, fresh_postgres_database

SERVICE = "svc"
DELAYS = (100,)


@pytest.fixture
def engine():
    with fresh_postgres_database("relay") as url:
        engine = bus_engine(url)
        yield engine
        engine.dispose()


@pytest.fixture
def rabbit():
    with rabbit_topology([SERVICE], DELAYS) as (url, prefix):
        transport = RabbitTransport(url, prefix)
        transport.declare(SERVICE, ["test.*"], DELAYS)
        yield transport


class Recording:
    """A real publisher that notes what it sent and, once, waits for its twin relay."""

    def __init__(self, publisher, meet: threading.Barrier):
        self.publisher = publisher
        self.sent: list[str] = []
        self._meet: threading.Barrier | None = meet

    def publish_batch(self, envelopes):
        if self._meet is not None:
            # Both relays hold a claimed batch at the same moment.
            self._meet.wait(timeout=10)
            self._meet = None
        self.publisher.publish_batch(envelopes)
        self.sent += [envelope.id for envelope in envelopes]


def test_two_relays_on_the_same_outbox_never_claim_the_same_row(engine, rabbit):
    ids = publish_in_outbox(engine, 1000)
    meet = threading.Barrier(2)
    relays = [Recording(RabbitPublisher(rabbit.url, rabbit.prefix), meet) for _ in range(2)]

    def drain(relay):
        while relay_once(engine, relay, 50):
            pass

    threads = [threading.Thread(target=drain, args=(relay,)) for relay in relays]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        for relay in relays:
            relay.publisher.close()
    first, second = (set(relay.sent) for relay in relays)
    assert first and second, "both relays took part"
    assert not first & second, "no row was claimed twice"
    assert first | second == set(ids)
    assert len(relays[0].sent) + len(relays[1].sent) == 1000
    main = topology.main_queue(rabbit.prefix, SERVICE)
    eventually(lambda: queue_depth(rabbit.url, main) == 1000)


def test_a_row_committed_late_is_still_relayed(engine, rabbit):
    publisher = RabbitPublisher(rabbit.url, rabbit.prefix)
    try:
        with uow_factory(engine)() as slow:
            early = slow.publish(EVENT_TYPE, {"key": "early id, late commit"})
            slow.session.flush()  # the row has its id now
            [late] = publish_in_outbox(engine, 1)
            assert relay_once(engine, publisher, 100) == 1
            slow.commit()
        assert relay_once(engine, publisher, 100) == 1
    finally:
        publisher.close()
    with engine.connect() as conn:
        rows = dict(conn.execute(select(outbox.c.event_id, outbox.c.id)).all())
    assert rows[early.id] < rows[late], "the early row got the smaller id"
    main = topology.main_queue(rabbit.prefix, SERVICE)
    eventually(lambda: queue_depth(rabbit.url, main) == 2)
    published = [properties.message_id for properties, _ in peek_queue(rabbit.url, main)]
    assert published == [late, early.id]


def unreachable_publisher() -> RabbitPublisher:
    return RabbitPublisher("amqp://guest:guest@127.0.0.1:1/%2F", "x", confirm_timeout=0.5)


def test_a_failed_publish_keeps_the_rows_unsent_and_records_the_error(engine):
    publish_in_outbox(engine, 3)
    publisher = unreachable_publisher()
    try:
        with pytest.raises(PublishFailed):
            relay_once(engine, publisher, 100)
    finally:
        publisher.close()
    with engine.connect() as conn:
        rows = conn.execute(
            select(outbox.c.sent_at, outbox.c.publish_attempts, outbox.c.last_error)
        ).all()
    assert [tuple(row) for row in rows] == [(None, 1, "no connection to RabbitMQ within 0.5s")] * 3


def test_an_event_no_queue_is_bound_for_is_relayed_and_marked_sent_with_the_rest(engine, rabbit):
    with uow_factory(engine, producer="nobody")() as uow:
        unrouted = uow.publish("nobody.listens", {}).id
        uow.commit()
    [routed] = publish_in_outbox(engine, 1)
    publisher = RabbitPublisher(rabbit.url, rabbit.prefix)
    try:
        # The broker confirms an unroutable message too; it must not stall the batch.
        assert relay_once(engine, publisher, 100) == 2
    finally:
        publisher.close()
    with engine.connect() as conn:
        rows = conn.execute(select(outbox.c.event_id, outbox.c.sent_at, outbox.c.last_error))
        marked = {event_id: (sent_at is not None, error) for event_id, sent_at, error in rows}
    assert marked == {unrouted: (True, None), routed: (True, None)}
    main = topology.main_queue(rabbit.prefix, SERVICE)
    eventually(lambda: queue_depth(rabbit.url, main) == 1)
    assert [properties.message_id for properties, _ in peek_queue(rabbit.url, main)] == [routed]


def test_a_backlog_is_relayed_in_id_order_with_two_batches_in_flight(engine, rabbit):
    ids = publish_in_outbox(engine, 300)
    publisher = RabbitPublisher(rabbit.url, rabbit.prefix)
    try:
        assert relay_backlog(engine, publisher, batch_size=40, depth=2) == 300
        assert relay_backlog(engine, publisher, batch_size=40, depth=2) == 0
    finally:
        publisher.close()
    main = topology.main_queue(rabbit.prefix, SERVICE)
    eventually(lambda: queue_depth(rabbit.url, main) == 300)
    assert [properties.message_id for properties, _ in peek_queue(rabbit.url, main)] == ids
