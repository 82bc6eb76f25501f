"""The event bus against bare pika, measured in the same run on the same broker.

(a) Outbox relay: events committed to a PostgreSQL outbox beforehand, then
    relayed by `relay_once` in confirmed batches of 500. Baselines: raw pika
    publishing the same bodies with one confirm per message (the obvious
    safe way), and without confirms at all (fast, but a lost message goes
    unnoticed).
(b) Consumer: the relayed events, already queued, handled by one consumer
    (one process) through the dispatcher: an inbox row and one effect row
    per event in PostgreSQL, acks after commit; then the same with a handler
    that writes nothing (the bus's own cost). Baseline: raw pika consuming
    and acking the same number of messages of the same size.

Each figure publishes into its own quorum queue, so broker work is alike.
Three interleaved rounds; each figure is the best of its three. A fresh
database and a unique prefix are made and removed by the run.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Sequence

import pika

from common.db import UnitOfWork
from common.events import topology
from common.events.consumer import Delivery, Dispatcher, Handler, Outcome
from common.events.envelope import Envelope
from common.events.rabbit import RabbitPublisher, RabbitTransport
from common.events.relay import relay_backlog, relay_once
from common.events.testkit import (
    EVENT_TYPE,
    bus_engine,
    effects_by_event,
    envelope,
    publish_in_outbox,
    record_effect,
    uow_factory,
)
from common.testing import fresh_postgres_database, require_rabbitmq

EVENTS = 5000
CONFIRM_EACH_EVENTS = 1000  # one round trip each: enough to time, short enough to wait for
RELAY_BATCH = 500
PREFETCH = 200
SERVICE = "bench"
BASELINE_KEY = "bench.baseline"
RELAY_TARGET_RATIO = 5.0
CONSUMER_TARGET = 2000.0
ROUNDS = 3


def run() -> list[dict[str, object]]:
    url = require_rabbitmq()
    prefix = f"bench_{uuid.uuid4().hex[:10]}"
    transport = RabbitTransport(url, prefix)
    baseline_queue = f"{prefix}.baseline"
    best: dict[str, float] = {}
    with fresh_postgres_database("bench_bus") as database:
        engine = bus_engine(database)
        try:
            transport.declare(SERVICE, ["test.*"], (1000,))
            _declare_baseline_queue(transport, baseline_queue)
            # Rounds interleave the bus and its baselines, and the best of each is
            # kept, so a noisy neighbour on a shared machine hurts both sides alike.
            for _ in range(ROUNDS):
                for name, rate in _one_round(engine, transport, baseline_queue).items():
                    best[name] = max(rate, best.get(name, 0.0))
        finally:
            engine.dispose()
            transport.delete(SERVICE, (1000,))
            with transport.channel() as channel:
                channel.queue_delete(queue=baseline_queue)
            transport.delete_exchange()
    return _figures(best)


def _one_round(engine, transport: RabbitTransport, baseline_queue: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    relay, body = _relay_rate(engine, transport)
    rates = {
        "relay": relay,
        "confirm_each": _raw_publish_rate(transport, body, CONFIRM_EACH_EVENTS, confirm=True),
        "unconfirmed": _raw_publish_rate(transport, body, EVENTS, confirm=False),
        "consumer": _consumer_rate(engine, transport, record_effect),
        "raw_consume": _raw_consume_rate(transport, baseline_queue, EVENTS),
    }
    _queue_events(transport, EVENTS + RELAY_BATCH)
    rates["consumer_no_effect"] = _consumer_rate(engine, transport, _no_effect)
    return rates


def _no_effect(_event: Envelope, _uow: UnitOfWork) -> None:
    """A handler that does nothing: what remains is the bus's own cost."""


def _queue_events(transport: RabbitTransport, count: int) -> None:
    publisher = RabbitPublisher(transport.url, transport.prefix)
    try:
        for start in range(0, count, RELAY_BATCH):
            batch = min(RELAY_BATCH, count - start)
            publisher.publish_batch([envelope(str(n)) for n in range(batch)])
    finally:
        publisher.close()


def _figures(best: dict[str, float]) -> list[dict[str, object]]:
    relay, confirm_each = best["relay"], best["confirm_each"]
    return [
        _figure(
            "outbox relay to RabbitMQ (confirmed batches)",
            relay,
            "raw pika, one confirm per publish",
            confirm_each,
            f">= {RELAY_TARGET_RATIO:g}x baseline",
            relay / confirm_each >= RELAY_TARGET_RATIO,
        ),
        _figure(
            "outbox relay to RabbitMQ (confirmed batches)",
            relay,
            "raw pika, no confirms",
            best["unconfirmed"],
            "none (shows what confirms cost)",
            True,
        ),
        _figure(
            "consumer with inbox dedupe on PostgreSQL, one worker, handler doing nothing",
            best["consumer_no_effect"],
            "raw pika consume + ack",
            best["raw_consume"],
            f">= {CONSUMER_TARGET:g} events/s",
            best["consumer_no_effect"] >= CONSUMER_TARGET,
        ),
        _figure(
            "consumer with inbox dedupe on PostgreSQL, one worker, handler writing a row",
            best["consumer"],
            "raw pika consume + ack",
            best["raw_consume"],
            f">= {CONSUMER_TARGET:g} events/s",
            best["consumer"] >= CONSUMER_TARGET,
        ),
    ]


def _figure(
    name: str, value: float, baseline: str, base: float, target: str, passed: bool
) -> dict[str, object]:
    return {
        "name": name,
        "value": round(value, 1),
        "unit": "events/s",
        "baseline_name": baseline,
        "baseline_value": round(base, 1),
        "ratio": round(value / base, 2),
        "target": target,
        "passed": passed,
    }


def _declare_baseline_queue(transport: RabbitTransport, queue: str) -> None:
    with transport.channel() as channel:
        channel.queue_declare(queue=queue, durable=True, arguments={"x-queue-type": "quorum"})
        channel.queue_bind(
            queue=queue, exchange=topology.exchange_name(transport.prefix), routing_key=BASELINE_KEY
        )


def _relay_rate(engine, transport: RabbitTransport) -> tuple[float, bytes]:  # type: ignore[no-untyped-def]
    for _ in range(EVENTS // 1000):
        publish_in_outbox(engine, 1000)
    with engine.connect() as conn:
        body = conn.exec_driver_sql("SELECT body FROM outbox LIMIT 1").scalar_one().encode()
    publisher = RabbitPublisher(transport.url, transport.prefix)
    try:
        # Warm up (connection, code paths, the queue) on one batch before the clock starts.
        publish_in_outbox(engine, RELAY_BATCH)
        relay_once(engine, publisher, RELAY_BATCH)
        started = time.perf_counter()
        relayed = relay_backlog(engine, publisher, RELAY_BATCH)  # what run_relay does
        elapsed = time.perf_counter() - started
    finally:
        publisher.close()
    assert relayed == EVENTS, f"relayed {relayed} of {EVENTS}"
    return relayed / elapsed, body


def _raw_publish_rate(transport: RabbitTransport, body: bytes, count: int, confirm: bool) -> float:
    exchange = topology.exchange_name(transport.prefix)
    properties = pika.BasicProperties(delivery_mode=2, content_type="application/json")
    with transport.channel() as channel:
        if confirm:
            channel.confirm_delivery()
        for _ in range(count // 10):  # the same warm-up share as the relay's
            channel.basic_publish(exchange, BASELINE_KEY, body, properties, mandatory=confirm)
        started = time.perf_counter()
        for _ in range(count):
            channel.basic_publish(exchange, BASELINE_KEY, body, properties, mandatory=confirm)
        elapsed = time.perf_counter() - started
    return count / elapsed


class _Counting(Dispatcher):
    """Counts events whose transaction committed, to stop the clock on the last one."""

    def __init__(self, expected: int, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.expected = expected
        self.done = 0
        self.all_done = threading.Event()

    def handle_batch(self, deliveries: Sequence[Delivery]) -> list[Outcome]:
        outcomes = super().handle_batch(deliveries)
        self.done += len(outcomes)
        if self.done >= self.expected:
            self.all_done.set()
        return outcomes


def _consumer_rate(engine, transport: RabbitTransport, handler: Handler) -> float:  # type: ignore[no-untyped-def]
    expected = EVENTS + RELAY_BATCH  # everything queued, warm-up included
    dispatcher = _Counting(expected, SERVICE, {EVENT_TYPE: handler}, uow_factory(engine))
    consumer = transport.consumer(SERVICE, dispatcher, prefetch=PREFETCH, delays_ms=(1000,))
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop,), name="bench-consumer")
    started = time.perf_counter()
    thread.start()
    finished = dispatcher.all_done.wait(120)
    elapsed = time.perf_counter() - started
    stop.set()
    thread.join(30)
    assert finished, f"only {dispatcher.done} of {expected} events handled"
    effects = effects_by_event(engine)
    assert set(effects.values()) <= {1}, "one effect per event"
    return expected / elapsed


def _raw_consume_rate(transport: RabbitTransport, queue: str, count: int) -> float:
    received = 0
    with transport.channel() as channel:
        channel.basic_qos(prefetch_count=PREFETCH)

        def on_message(ch, method, _properties, _body):  # type: ignore[no-untyped-def]
            nonlocal received
            ch.basic_ack(method.delivery_tag)
            received += 1
            if received >= count:
                ch.stop_consuming()

        channel.basic_consume(queue, on_message)
        started = time.perf_counter()
        channel.start_consuming()
        elapsed = time.perf_counter() - started
    return count / elapsed


if __name__ == "__main__":
    for figure in run():
        print(figure)
