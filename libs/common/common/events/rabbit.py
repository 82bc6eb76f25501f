"""The RabbitMQ transport: topology, a publisher and a consumer per thread, replay.

Nothing connects at import or construction; each call opens what it needs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pika
import pika.exceptions

from common.events import topology
from common.events.amqp import connection_parameters, without_dead_headers
from common.events.consumer import Dispatcher
from common.events.rabbit_consumer import RabbitConsumer
from common.events.rabbit_publisher import RabbitPublisher

__all__ = ["RabbitConsumer", "RabbitPublisher", "RabbitTransport"]

log = logging.getLogger("common.events.rabbit")


class RabbitTransport:
    def __init__(self, url: str, prefix: str) -> None:
        self.url = url
        self.prefix = prefix

    def declare(
        self,
        service: str,
        bindings: Sequence[str],
        delays_ms: Sequence[int],
        delivery_limit: int = topology.DEFAULT_DELIVERY_LIMIT,
    ) -> None:
        with self.channel() as channel:
            topology.declare(channel, self.prefix, service, bindings, delays_ms, delivery_limit)

    def publisher(self) -> RabbitPublisher:
        return RabbitPublisher(self.url, self.prefix)

    def consumer(
        self,
        service: str,
        dispatcher: Dispatcher,
        *,
        prefetch: int,
        delays_ms: Sequence[int],
        batch_size: int = 100,
    ) -> RabbitConsumer:
        return RabbitConsumer(
            self.url,
            self.prefix,
            service,
            dispatcher,
            prefetch=prefetch,
            delays_ms=delays_ms,
            batch_size=batch_size,
        )

    def replay(self, service: str, limit: int | None = None) -> int:
        """Move dead letters to the main queue, attempts reset; each one confirmed before ack.

        Only the letters present at the start are moved, so a letter that dies
        again at once is not replayed twice in one run.
        """
        dead = topology.dead_queue(self.prefix, service)
        main = topology.main_queue(self.prefix, service)
        if not self._queue_exists(dead):
            raise LookupError(f"there is no dead-letter queue {dead!r}")
        with self.channel() as channel:
            channel.confirm_delivery()
            present = channel.queue_declare(queue=dead, passive=True).method.message_count
            count = present if limit is None else min(limit, present)
            moved = 0
            for _ in range(count):
                method, properties, body = channel.basic_get(queue=dead, auto_ack=False)
                if method is None:
                    break
                # mandatory: the main queue must exist, or the letter stays dead.
                channel.basic_publish(
                    "", main, body, without_dead_headers(properties), mandatory=True
                )
                channel.basic_ack(method.delivery_tag)
                moved += 1
        log.info("replayed %d dead letters of %s", moved, service)
        return moved

    def delete(self, service: str, delays_ms: Sequence[int]) -> None:
        """Delete the service's queues (tests and benchmarks clean up with this)."""
        with self.channel() as channel:
            topology.delete(channel, self.prefix, service, delays_ms)

    def delete_exchange(self) -> None:
        with self.channel() as channel:
            topology.delete_exchange(channel, self.prefix)

    def close(self) -> None:
        """Nothing stays open between calls."""

    def _queue_exists(self, queue: str) -> bool:
        # A passive declare of a missing queue closes the channel: use a throwaway one.
        try:
            with self.channel() as channel:
                channel.queue_declare(queue=queue, passive=True)
        except pika.exceptions.ChannelClosedByBroker:
            return False
        return True

    @contextmanager
    def channel(self) -> Iterator[Any]:
        """A short-lived blocking channel for administrative calls."""
        connection = pika.BlockingConnection(connection_parameters(self.url))
        try:
            yield connection.channel()
        finally:
            if connection.is_open:
                connection.close()
