"""Consuming a service's main queue from RabbitMQ with pika's threaded-consumer pattern.

The thread that calls `run` owns the connection and only moves bytes: it
keeps heartbeats going and puts each delivery on a local queue. A handler
thread takes deliveries in order, up to a batch at a time, lets the
dispatcher handle them in one transaction, forwards retries and dead letters
with confirmed publishes, and only then asks the connection thread (through
`add_callback_threadsafe`, the only thread-safe call pika has) to ack.
So a slow handler never starves heartbeats, and nothing is acked before commit.

Delivery tags belong to one channel. After a reconnect, deliveries and acks
of the old channel are void: the broker redelivers those messages and the
inbox turns the copies into no-ops. A generation number tells them apart.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import pika
import pika.exceptions

from common.events.amqp import (
    ATTEMPTS,
    DEAD_AT,
    DEAD_REASON,
    ORIGINAL_ROUTING_KEY,
    OutgoingMessage,
    attempts_of,
    connection_parameters,
    now_iso,
    with_headers,
)
from common.events.backoff import Backoff
from common.events.consumer import Delivery, Dispatcher, Outcome
from common.events.rabbit_publisher import RabbitPublisher
from common.events.topology import dead_queue, main_queue, retry_delay_for, retry_queue
from common.events.transport import PublishFailed

log = logging.getLogger("common.events.rabbit")

CONNECTION_ERRORS = (pika.exceptions.AMQPError, OSError)


@dataclass(slots=True)
class _Received:
    generation: int
    tag: int
    body: bytes
    attempts: int
    routing_key: str
    properties: pika.BasicProperties


class RabbitConsumer:
    """Consumes `{prefix}.{service}` until stopped, reconnecting with backoff."""

    def __init__(
        self,
        url: str,
        prefix: str,
        service: str,
        dispatcher: Dispatcher,
        *,
        prefetch: int,
        delays_ms: Sequence[int],
        batch_size: int = 100,
    ) -> None:
        self._url = url
        self._prefix = prefix
        self._service = service
        self._dispatcher = dispatcher
        self._prefetch = prefetch
        self._delays_ms = tuple(delays_ms)
        # At most half the prefetch, so the next batch is already arriving
        # while this one is handled instead of waiting for its acks.
        self._batch_size = max(1, min(batch_size, prefetch // 2))
        self._forwarder = RabbitPublisher(url, prefix)
        self._received: queue.Queue[_Received] = queue.Queue()
        self._generation = 0
        self._connection: pika.BlockingConnection | None = None
        self._channel: Any = None
        self._handler_done = threading.Event()

    def run(self, stop: threading.Event) -> None:
        """Consume until `stop` is set; finishes and acks the batch in hand, then returns."""
        self._handler_done.clear()
        handler = threading.Thread(
            target=self._handle_until, args=(stop,), name=f"{self._service}-handler", daemon=True
        )
        handler.start()
        backoff = Backoff()
        try:
            while not self._handler_done.is_set():
                try:
                    self._consume(stop, backoff)
                except CONNECTION_ERRORS as exc:
                    self._generation += 1
                    delay = backoff.next()
                    log.warning("consumer connection lost (%s); reconnecting in %.1fs", exc, delay)
                    self._handler_done.wait(delay)
        finally:
            handler.join()
            self._forwarder.close()

    # -- the connection thread ----------------------------------------------------

    def _consume(self, stop: threading.Event, backoff: Backoff) -> None:
        connection = pika.BlockingConnection(connection_parameters(self._url))
        try:
            channel = connection.channel()
            channel.basic_qos(prefetch_count=self._prefetch)
            self._generation += 1
            self._connection, self._channel = connection, channel
            consumer_tag = channel.basic_consume(
                main_queue(self._prefix, self._service),
                partial(self._on_message, self._generation),
                auto_ack=False,
            )
            backoff.reset()
            self._pump(connection, channel, consumer_tag, stop)
        finally:
            self._connection = None
            _close_quietly(connection)

    def _pump(
        self, connection: Any, channel: Any, consumer_tag: str, stop: threading.Event
    ) -> None:
        cancelled = False
        while not self._handler_done.is_set():
            connection.process_data_events(time_limit=0.1)
            if stop.is_set() and not cancelled:
                # No new deliveries; the ones not yet handled return to the queue on close.
                channel.basic_cancel(consumer_tag)
                cancelled = True
        connection.process_data_events(time_limit=0.1)  # runs the last scheduled acks

    def _on_message(
        self, generation: int, _channel: Any, method: Any, properties: Any, body: bytes
    ) -> None:
        routing_key = (properties.headers or {}).get(ORIGINAL_ROUTING_KEY) or method.routing_key
        if isinstance(routing_key, bytes):
            routing_key = routing_key.decode(errors="replace")
        attempts = attempts_of(properties)
        self._received.put(
            _Received(generation, method.delivery_tag, body, attempts, routing_key, properties)
        )

    def _ack(self, generation: int, tags: list[int], requeue: set[int]) -> None:
        if generation != self._generation or self._channel is None:
            return  # that channel is gone; the broker redelivers its messages
        if not requeue:
            self._channel.basic_ack(tags[-1], multiple=True)
            return
        for tag in tags:
            if tag in requeue:
                self._channel.basic_nack(tag, requeue=True)
            else:
                self._channel.basic_ack(tag)

    # -- the handler thread ----------------------------------------------------------

    def _handle_until(self, stop: threading.Event) -> None:
        try:
            while not stop.is_set():
                batch = self._take_batch()
                if batch:
                    self._handle(batch)
        except Exception:
            log.exception("consumer handler thread of %s crashed", self._service)
        finally:
            self._handler_done.set()

    def _take_batch(self) -> list[_Received]:
        try:
            batch = [self._received.get(timeout=0.1)]
        except queue.Empty:
            return []
        while len(batch) < self._batch_size:
            try:
                batch.append(self._received.get_nowait())
            except queue.Empty:
                break
        current = self._generation
        return [delivery for delivery in batch if delivery.generation == current]

    def _handle(self, batch: list[_Received]) -> None:
        deliveries = [Delivery(item.body, item.attempts) for item in batch]
        try:
            outcomes = self._dispatcher.handle_batch(deliveries)
        except Exception:
            log.exception("dispatching a batch of %d crashed; requeued", len(batch))
            self._settle(batch, requeue={item.tag for item in batch})
            time.sleep(1.0)  # do not spin on a crash that repeats at once
            return
        self._settle(batch, requeue=self._forward(batch, outcomes))

    def _forward(self, batch: list[_Received], outcomes: list[Outcome]) -> set[int]:
        """Publish retries and dead letters; returns the tags that could not be forwarded."""
        messages: list[OutgoingMessage] = []
        tags: set[int] = set()
        for item, outcome in zip(batch, outcomes, strict=True):
            if outcome.action == "retry":
                messages.append(self._retry_message(item, outcome))
            elif outcome.action == "dead":
                messages.append(self._dead_message(item, outcome))
            else:
                continue
            tags.add(item.tag)
        if not messages:
            return set()
        try:
            self._forwarder.publish(messages)
        except PublishFailed as exc:
            log.warning("could not forward %d retries/dead letters: %s", len(messages), exc)
            return tags
        return set()

    def _retry_message(self, item: _Received, outcome: Outcome) -> OutgoingMessage:
        delay = retry_delay_for(self._delays_ms, outcome.attempts)
        headers = {ATTEMPTS: outcome.attempts, ORIGINAL_ROUTING_KEY: item.routing_key}
        return OutgoingMessage(
            "",
            retry_queue(self._prefix, self._service, delay),
            item.body,
            with_headers(item.properties, headers),
            must_route=True,
        )

    def _dead_message(self, item: _Received, outcome: Outcome) -> OutgoingMessage:
        headers = {
            DEAD_REASON: outcome.reason or "",
            DEAD_AT: now_iso(),
            ORIGINAL_ROUTING_KEY: item.routing_key,
            ATTEMPTS: outcome.attempts,
        }
        return OutgoingMessage(
            "",
            dead_queue(self._prefix, self._service),
            item.body,
            with_headers(item.properties, headers),
            must_route=True,
        )

    def _settle(self, batch: list[_Received], requeue: set[int]) -> None:
        connection = self._connection
        if connection is None:
            return
        callback = partial(self._ack, batch[0].generation, [item.tag for item in batch], requeue)
        try:
            connection.add_callback_threadsafe(callback)
        except CONNECTION_ERRORS as exc:
            log.info("acks dropped with a lost connection (%s); the broker redelivers", exc)


def _close_quietly(connection: Any) -> None:
    try:
        if connection.is_open:
            connection.close()
    except CONNECTION_ERRORS:
        pass
