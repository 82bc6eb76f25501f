"""The event bus end to end on the real RabbitMQ and PostgreSQL.

Outbox → relay → RabbitMQ → consumer → inbox, with a handler whose effect is a
row per handled event, so "one effect" is counted, not assumed.
"""

from __future__ import annotations

import logging
import subprocess
import threading
import time
import uuid
from datetime import datetime

import pika
import pytest
from sqlalchemy import select

from common.events import topology
from common.events.consumer import Dispatcher
from common.events.rabbit import RabbitPublisher, RabbitTransport
from common.events.relay import relay_once
from common.events.replay import main as replay_main
from common.events.tables import outbox
from common.events.testkit import (
    EVENT_TYPE,
    bus_engine,
    effects_by_event,
    envelope,
    peek_queue,
    publish_in_outbox,
    queue_depth,
    rabbit_topology,
    record_effect,
    uow_factory,
)
from common.settings import CommonSettings
from common.testing import eventually, fresh_postgres_database
from common.worker import Worker

SERVICE = "svc"
OTHER = "other"
DELAYS = (100, 200)


@pytest.fixture
def engine():
    with fresh_postgres_database("bus") as url:
        engine = bus_engine(url)
        yield engine
        engine.dispose()


@pytest.fixture
def transport():
    with rabbit_topology([SERVICE, OTHER], DELAYS) as (url, prefix):
        yield RabbitTransport(url, prefix)


def make_worker(transport, engine, handler=record_effect, max_attempts=3, service=SERVICE):
    settings = CommonSettings(
        service=service,
        database_url=str(engine.url),
        bus_url=transport.url,
        bus_prefix=transport.prefix,
        internal_token_secret="not-used-here",
        log_format="text",
        consumer_prefetch=50,
        max_attempts=max_attempts,
        retry_delays_ms=DELAYS,
        relay_batch_size=200,
        relay_idle_seconds=0.05,
    )
    return Worker(
        service,
        settings,
        engine,
        {EVENT_TYPE: handler},
        uow_factory(engine),
        bindings=["test.*"],
        transport=transport,
    )


def main_depth(transport):
    return queue_depth(transport.url, topology.main_queue(transport.prefix, SERVICE))


def dead_letters(transport):
    return peek_queue(transport.url, topology.dead_queue(transport.prefix, SERVICE))


def unsent(engine):
    with engine.connect() as conn:
        return conn.execute(select(outbox.c.event_id).where(outbox.c.sent_at.is_(None))).all()


def test_nothing_is_published_before_commit_and_a_rolled_back_transaction_publishes_nothing(
    engine, transport
):
    transport.declare(SERVICE, ["test.*"], DELAYS)
    publisher = transport.publisher()
    try:
        with uow_factory(engine)() as pending:
            pending.publish(EVENT_TYPE, {"key": "rolled back"})
            pending.session.flush()
            assert relay_once(engine, publisher, 100) == 0, "an uncommitted row is invisible"
            pending.rollback()
        assert relay_once(engine, publisher, 100) == 0
        assert main_depth(transport) == 0
        [committed] = publish_in_outbox(engine, 1)
        assert relay_once(engine, publisher, 100) == 1
    finally:
        publisher.close()
    eventually(lambda: main_depth(transport) == 1)
    [(properties, _body)] = peek_queue(
        transport.url, topology.main_queue(transport.prefix, SERVICE)
    )
    assert properties.message_id == committed
    assert properties.delivery_mode == 2 and properties.type == EVENT_TYPE


def test_the_same_event_delivered_three_times_two_of_them_at_once_has_one_effect(engine):
    inside, release = threading.Event(), threading.Event()
    calls = []

    def held_effect(event, uow):
        calls.append(event.id)
        record_effect(event, uow)
        inside.set()
        assert release.wait(10)  # hold the transaction open until the twin has arrived

    dispatcher = Dispatcher(SERVICE, {EVENT_TYPE: held_effect}, uow_factory(engine))
    event = envelope()
    outcomes = {}

    def deliver(name):
        outcomes[name] = dispatcher.handle(event.to_json(), 0)

    first = threading.Thread(target=deliver, args=("first",))
    first.start()
    assert inside.wait(5)
    twin = threading.Thread(target=deliver, args=("twin",))
    twin.start()
    twin.join(0.5)
    # The twin waits on the first one's inbox row: it has neither answered nor run the handler.
    assert twin.is_alive() and "twin" not in outcomes
    assert calls == [event.id]
    release.set()
    first.join(10)
    twin.join(10)
    deliver("third")
    assert {name: outcome.action for name, outcome in outcomes.items()} == {
        "first": "ack", "twin": "ack", "third": "ack",
    }  # fmt: skip
    assert calls == [event.id]
    assert effects_by_event(engine) == {event.id: 1}


def test_duplicates_published_to_competing_consumers_have_one_effect(engine, transport):
    worker_a = make_worker(transport, engine).start_in_background()
    worker_b = make_worker(transport, engine).start_in_background()
    events = [envelope(str(n)) for n in range(20)]
    publisher = RabbitPublisher(transport.url, transport.prefix)
    try:
        publisher.publish_batch(events * 3)
        eventually(lambda: main_depth(transport) == 0 and len(effects_by_event(engine)) == 20)
    finally:
        publisher.close()
        worker_a.stop()
        worker_b.stop()
    assert set(effects_by_event(engine).values()) == {1}


def test_a_failing_handler_is_retried_with_delay_then_dead_lettered_with_its_reason_and_replay_succeeds_after_the_fix(
    engine, transport, monkeypatch
):
    broken = {"yes": True}
    calls: list[float] = []

    def flaky(event, uow):
        calls.append(time.monotonic())
        if broken["yes"]:
            raise RuntimeError("the printer is on fire")
        record_effect(event, uow)

    worker = make_worker(transport, engine, flaky, max_attempts=3).start_in_background()
    try:
        [event_id] = publish_in_outbox(engine, 1)
        [(properties, _body)] = eventually(lambda: dead_letters(transport))
        headers = properties.headers
        assert headers["x-dead-reason"] == "after 3 attempts: RuntimeError: the printer is on fire"
        assert headers["x-attempts"] == 3
        assert headers["x-original-routing-key"] == EVENT_TYPE
        assert datetime.fromisoformat(headers["x-dead-at"]).tzinfo is not None
        assert properties.message_id == event_id
        assert len(calls) == 3
        assert calls[1] - calls[0] >= 0.09 and calls[2] - calls[1] >= 0.19, "retries wait"
        assert effects_by_event(engine) == {}

        broken["yes"] = False
        monkeypatch.setenv("BUS_URL", transport.url)
        monkeypatch.setenv("BUS_PREFIX", transport.prefix)
        assert replay_main(["--service", SERVICE]) == 0
        eventually(lambda: effects_by_event(engine) == {event_id: 1})
    finally:
        worker.stop()
    assert dead_letters(transport) == []


def test_a_retry_comes_back_to_the_failing_service_only(engine, transport):
    calls = {SERVICE: 0, OTHER: 0}

    def counted(service, fail_first):
        def handler(event, uow):
            calls[service] += 1
            if fail_first and calls[service] == 1:
                raise RuntimeError("once")

        return handler

    workers = [
        make_worker(transport, engine, counted(SERVICE, False)).start_in_background(),
        make_worker(transport, engine, counted(OTHER, True), service=OTHER).start_in_background(),
    ]
    try:
        [event_id] = publish_in_outbox(engine, 1)
        eventually(lambda: calls[OTHER] == 2)
        eventually(lambda: main_depth(transport) == 0)
    finally:
        for worker in workers:
            worker.stop()
    assert calls[SERVICE] == 1, "the service that handled it never saw the retry"
    with engine.connect() as conn:
        consumers = conn.exec_driver_sql(
            "SELECT consumer FROM inbox WHERE event_id = %(id)s ORDER BY consumer", {"id": event_id}
        ).scalars()
        assert list(consumers) == [OTHER, SERVICE]


class CrashingDispatcher(Dispatcher):
    """What a consumer process that dies mid-batch does: no outcome, no commit."""

    def __init__(self, engine, crashes: int | None = None):
        super().__init__(SERVICE, {EVENT_TYPE: record_effect}, uow_factory(engine))
        self.crashes_left = crashes  # None: crash forever
        self.calls = 0

    def handle_batch(self, deliveries):
        self.calls += 1
        if self.crashes_left is None or self.crashes_left > 0:
            if self.crashes_left is not None:
                self.crashes_left -= 1
            raise SystemError("crashed before the batch's transaction committed")
        return super().handle_batch(deliveries)


def consuming(transport, dispatcher):
    """Run common's RabbitConsumer for the service in a thread; returns its stop()."""
    stop = threading.Event()
    consumer = transport.consumer(SERVICE, dispatcher, prefetch=10, delays_ms=DELAYS)
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    thread.start()

    def halt():
        stop.set()
        thread.join(10)
        assert not thread.is_alive()

    return halt


def test_a_message_that_keeps_crashing_consumers_is_dead_lettered_by_the_broker(engine, transport):
    transport.declare(SERVICE, ["test.*"], DELAYS, delivery_limit=1)
    publisher = transport.publisher()
    try:
        publisher.publish_batch([envelope()])
    finally:
        publisher.close()
    dispatcher = CrashingDispatcher(engine)
    halt = consuming(transport, dispatcher)
    try:
        [(properties, _body)] = eventually(lambda: dead_letters(transport), timeout=30)
    finally:
        halt()
    assert properties.headers["x-death"][0]["reason"] == "delivery_limit"
    assert dispatcher.calls == 2  # the first delivery and one redelivery, then the limit
    assert effects_by_event(engine) == {}


def test_a_batch_whose_transaction_did_not_commit_is_not_acked_and_comes_back(engine, transport):
    transport.declare(SERVICE, ["test.*"], DELAYS)
    events = [envelope(str(n)) for n in range(3)]
    publisher = transport.publisher()
    try:
        publisher.publish_batch(events)
    finally:
        publisher.close()
    dispatcher = CrashingDispatcher(engine, crashes=1)
    halt = consuming(transport, dispatcher)
    try:
        # Acked before the commit, the crashed batch would be gone for good.
        eventually(lambda: len(effects_by_event(engine)) == 3, timeout=30)
        eventually(lambda: main_depth(transport) == 0)
    finally:
        halt()
    assert effects_by_event(engine) == {event.id: 1 for event in events}
    assert dispatcher.calls >= 2


def test_replay_names_a_dead_letter_queue_that_does_not_exist(transport, monkeypatch, capsys):
    monkeypatch.setenv("BUS_URL", transport.url)
    monkeypatch.setenv("BUS_PREFIX", transport.prefix)
    assert replay_main(["--service", "nobody"]) == 1
    assert f"no dead-letter queue '{transport.prefix}.nobody.dead'" in capsys.readouterr().err


def test_a_malformed_message_is_dead_lettered_at_once_with_its_reason_while_the_consumer_keeps_going(
    engine, transport
):
    worker = make_worker(transport, engine).start_in_background()
    try:
        with transport.channel() as channel:
            channel.basic_publish(
                topology.exchange_name(transport.prefix),
                EVENT_TYPE,
                b'{"id": "42", "type": "test.thing_happened"}',
                pika.BasicProperties(delivery_mode=2),
            )
        ids = publish_in_outbox(engine, 5)
        eventually(lambda: sorted(effects_by_event(engine)) == sorted(ids))
        [(properties, body)] = eventually(lambda: dead_letters(transport))
    finally:
        worker.stop()
    assert properties.headers["x-dead-reason"] == "malformed: field 'version' is missing"
    assert properties.headers["x-attempts"] == 0
    assert body == b'{"id": "42", "type": "test.thing_happened"}'


def test_a_worker_stopped_mid_handler_finishes_and_acks_the_message_in_hand(engine, transport):
    inside = threading.Event()

    def slow(event, uow):
        inside.set()
        time.sleep(0.3)
        record_effect(event, uow)

    worker = make_worker(transport, engine, slow).start_in_background()
    [event_id] = publish_in_outbox(engine, 1)
    assert inside.wait(10)
    worker.stop()
    assert not worker.alive
    assert effects_by_event(engine) == {event_id: 1}
    assert main_depth(transport) == 0, "acked before closing, not redelivered"


def test_a_relay_killed_between_publish_and_mark_sent_gives_a_duplicate_delivery_but_one_effect(
    engine, transport, caplog
):
    class DiesAfterPublishing:
        def __init__(self, publisher):
            self.publisher = publisher

        def publish_batch(self, envelopes):
            self.publisher.publish_batch(envelopes)
            raise KeyboardInterrupt("killed before marking the rows sent")

    transport.declare(SERVICE, ["test.*"], DELAYS)
    ids = publish_in_outbox(engine, 10)
    publisher = transport.publisher()
    try:
        with pytest.raises(KeyboardInterrupt):
            relay_once(engine, DiesAfterPublishing(publisher), 100)
    finally:
        publisher.close()
    assert len(unsent(engine)) == 10, "the rows stay unsent"
    eventually(lambda: main_depth(transport) == 10)

    caplog.set_level(logging.INFO, logger="common.events.consumer")
    worker = make_worker(transport, engine).start_in_background()
    try:
        eventually(lambda: not unsent(engine) and main_depth(transport) == 0)
        eventually(lambda: len(effects_by_event(engine)) == 10)
    finally:
        worker.stop()
    assert effects_by_event(engine) == dict.fromkeys(ids, 1)
    duplicates = {r.event_id for r in caplog.records if r.getMessage().startswith("duplicate")}
    assert duplicates == set(ids), "each event was delivered twice"


@pytest.fixture
def vhost():
    """A vhost of its own, so cutting its connections touches nobody else's tests."""
    name = f"bt_{uuid.uuid4().hex[:10]}"
    rabbitmqctl("add_vhost", name)
    try:
        rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
        yield name
    finally:
        rabbitmqctl("delete_vhost", name)


def rabbitmqctl(*args: str) -> str:
    done = subprocess.run(["rabbitmqctl", *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"rabbitmqctl {' '.join(args)} failed: {done.stderr}"
    return done.stdout


def test_closing_every_connection_in_the_middle_of_1000_events_loses_none_and_duplicates_no_effect(
    engine, vhost, caplog
):
    caplog.set_level(logging.WARNING, logger="common.events")
    transport = RabbitTransport(f"amqp://guest:guest@127.0.0.1:5672/{vhost}", "cut")
    worker = make_worker(transport, engine).start_in_background()
    ids: list[str] = []
    try:
        for round_ in range(20):
            ids += publish_in_outbox(engine, 50, key=str(round_))
            if round_ == 8:
                eventually(lambda: len(effects_by_event(engine)) > 100)
                rabbitmqctl("close_all_connections", "--vhost", vhost, "test")
            time.sleep(0.02)
        eventually(lambda: len(effects_by_event(engine)) == 1000, timeout=30)
        eventually(lambda: not unsent(engine))
    finally:
        worker.stop()
    assert effects_by_event(engine) == dict.fromkeys(ids, 1)
    messages = [record.getMessage() for record in caplog.records]
    assert any("consumer connection lost" in m for m in messages), "the consumer was cut"
    assert any("publishing connection closed" in m for m in messages), "the relay was cut"


def test_retries_waiting_while_the_broker_restarts_all_come_back_to_the_main_queue(transport):
    """A retry waits in a queue of its own until its TTL runs out; when that
    happens while the broker stops or starts, the main queue is not up to take
    it. A classic waiting room dropped every such message (it dead-letters at
    most once); the quorum one keeps each until the main queue has it. The
    broker is restarted for the whole node: this suite runs alone on its broker."""
    wait_ms = 2500  # runs out while the broker is stopping, down or starting
    main = topology.main_queue(transport.prefix, SERVICE)
    connection = pika.BlockingConnection(pika.URLParameters(transport.url))
    channel = connection.channel()
    topology.declare(channel, transport.prefix, SERVICE, [EVENT_TYPE], (wait_ms,))
    channel.confirm_delivery()
    for number in range(50):
        channel.basic_publish(
            "", topology.retry_queue(transport.prefix, SERVICE, wait_ms), str(number).encode(),
            pika.BasicProperties(delivery_mode=2), mandatory=True,
        )  # fmt: skip
    connection.close()
    try:
        rabbitmqctl("stop_app")
        time.sleep(3)
        rabbitmqctl("start_app")
        rabbitmqctl("await_startup")
        eventually(lambda: queue_depth(transport.url, main) == 50, timeout=30)
    finally:
        rabbitmqctl("start_app")  # whatever happened: leave the broker running
        transport.delete(SERVICE, (wait_ms,))
