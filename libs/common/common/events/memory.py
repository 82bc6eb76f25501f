"""An in-process bus with RabbitMQ's semantics, for the one-process mode and fast tests.

It keeps what the code relies on: topic bindings per service, at-least-once
delivery with acks, retries after their delay (on an injectable clock, or at
once for tests), a dead-letter list with reasons, replay, and a delivery limit for a
dispatcher that crashes. Tests can ask for duplicate deliveries on demand.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache

from common.clock import Clock, SystemClock
from common.events.consumer import Delivery, Dispatcher, Outcome
from common.events.envelope import Envelope
from common.events.topology import DEFAULT_DELIVERY_LIMIT, retry_delay_for

log = logging.getLogger("common.events.memory")


@dataclass(frozen=True)
class Message:
    body: bytes
    routing_key: str
    event_id: str | None = None
    attempts: int = 0
    delivery_count: int = 0


@dataclass(frozen=True)
class DeadLetter:
    message: Message
    reason: str
    dead_at: datetime

    @property
    def body(self) -> bytes:
        return self.message.body

    @property
    def attempts(self) -> int:
        return self.message.attempts


@dataclass
class _Queue:
    bindings: list[str]
    delays_ms: tuple[int, ...]
    delivery_limit: int
    ready: deque[Message] = field(default_factory=deque)
    delayed: list[tuple[datetime, int, Message]] = field(default_factory=list)
    dead: list[DeadLetter] = field(default_factory=list)
    unacked: int = 0


class MemoryBus:
    """Thread-safe; one instance is shared by every service of the process."""

    def __init__(
        self,
        prefix: str = "memory",
        clock: Clock | None = None,
        *,
        immediate_retries: bool = False,
    ) -> None:
        """A retry waits its delay on `clock` (the system clock by default, as a
        broker would); unit tests pass a FrozenClock to step it, or ask for
        `immediate_retries`."""
        self.prefix = prefix
        self._clock: Clock = clock or SystemClock()
        self._immediate = immediate_retries
        self._lock = threading.Condition()
        self._queues: dict[str, _Queue] = {}
        self._sequence = itertools.count()
        self.deliver_twice = False

    # -- the Transport interface ------------------------------------------------

    def declare(
        self,
        service: str,
        bindings: Sequence[str],
        delays_ms: Sequence[int],
        delivery_limit: int = DEFAULT_DELIVERY_LIMIT,
    ) -> None:
        with self._lock:
            queue = self._queues.get(service)
            if queue is None:
                self._queues[service] = _Queue(list(bindings), tuple(delays_ms), delivery_limit)
                return
            queue.bindings.extend(key for key in bindings if key not in queue.bindings)
            queue.delays_ms = tuple(delays_ms)
            queue.delivery_limit = delivery_limit

    def publisher(self) -> MemoryBus:
        return self

    def publish_batch(self, envelopes: Sequence[Envelope]) -> None:
        with self._lock:
            for envelope in envelopes:
                message = Message(envelope.to_json(), envelope.routing_key, envelope.id)
                routed = self._route(message)
                if not routed:
                    log.debug("event %s (%s) routed to no queue", envelope.id, envelope.type)
            self._lock.notify_all()

    def consumer(
        self,
        service: str,
        dispatcher: Dispatcher,
        *,
        prefetch: int = 200,
        delays_ms: Sequence[int] = (),
        batch_size: int = 100,
    ) -> MemoryConsumer:
        return MemoryConsumer(self, service, dispatcher, min(batch_size, prefetch))

    def replay(self, service: str, limit: int | None = None) -> int:
        with self._lock:
            queue = self._queue(service)
            count = len(queue.dead) if limit is None else min(limit, len(queue.dead))
            for letter in queue.dead[:count]:
                queue.ready.append(replace(letter.message, attempts=0, delivery_count=0))
            del queue.dead[:count]
            self._lock.notify_all()
        log.info("replayed %d dead letters of %s", count, service)
        return count

    def close(self) -> None:
        """Nothing to release; present so every transport closes the same way."""

    # -- helpers for tests --------------------------------------------------------

    def inject(self, service: str, body: bytes, routing_key: str = "test.raw") -> None:
        """Put raw bytes on a service's queue, as a broken producer would."""
        with self._lock:
            self._queue(service).ready.append(Message(body, routing_key))
            self._lock.notify_all()

    def process(self, service: str, dispatcher: Dispatcher, batch_size: int = 100) -> int:
        """Handle every message ready now (and the retries that become due); returns how many."""
        consumer = MemoryConsumer(self, service, dispatcher, batch_size)
        handled = 0
        while batch := self._take(service, batch_size, timeout=0):
            consumer.handle(batch)
            handled += len(batch)
        return handled

    def ready(self, service: str) -> int:
        with self._lock:
            self._release_due(self._queue(service))
            return len(self._queue(service).ready)

    def waiting_retries(self, service: str) -> int:
        with self._lock:
            return len(self._queue(service).delayed)

    def dead_letters(self, service: str) -> list[DeadLetter]:
        with self._lock:
            return list(self._queue(service).dead)

    def idle(self, service: str) -> bool:
        """Nothing ready, in hand or waiting to retry."""
        with self._lock:
            queue = self._queue(service)
            return not queue.ready and not queue.unacked and not queue.delayed

    # -- internals shared with MemoryConsumer ------------------------------------------

    def _queue(self, service: str) -> _Queue:
        try:
            return self._queues[service]
        except KeyError:
            raise KeyError(f"no queue declared for service {service!r}") from None

    def _route(self, message: Message) -> bool:
        copies = 2 if self.deliver_twice else 1
        routed = False
        for queue in self._queues.values():
            if any(topic_matches(pattern, message.routing_key) for pattern in queue.bindings):
                queue.ready.extend([message] * copies)
                routed = True
        return routed

    def _take(self, service: str, limit: int, timeout: float) -> list[Message]:
        with self._lock:
            queue = self._queue(service)
            self._release_due(queue)
            if not queue.ready and timeout > 0:
                self._lock.wait(timeout)
                self._release_due(queue)
            batch = [queue.ready.popleft() for _ in range(min(limit, len(queue.ready)))]
            queue.unacked += len(batch)
            return batch

    def _settle(self, service: str, message: Message, outcome: Outcome) -> None:
        with self._lock:
            queue = self._queue(service)
            queue.unacked -= 1
            if outcome.action == "retry":
                self._delay(queue, replace(message, attempts=outcome.attempts, delivery_count=0))
            elif outcome.action == "dead":
                dead = replace(message, attempts=outcome.attempts)
                queue.dead.append(DeadLetter(dead, outcome.reason or "", self._now()))
            self._lock.notify_all()

    def _requeue(self, service: str, messages: list[Message]) -> None:
        """Give back messages whose handling crashed, as a broker does on a lost channel."""
        with self._lock:
            queue = self._queue(service)
            queue.unacked -= len(messages)
            for message in reversed(messages):
                again = replace(message, delivery_count=message.delivery_count + 1)
                if again.delivery_count > queue.delivery_limit:
                    queue.dead.append(DeadLetter(again, "delivery limit exceeded", self._now()))
                else:
                    queue.ready.appendleft(again)
            self._lock.notify_all()

    def _delay(self, queue: _Queue, message: Message) -> None:
        if self._immediate or not queue.delays_ms:
            queue.ready.append(message)
            return
        delay = retry_delay_for(queue.delays_ms, message.attempts)
        due = self._clock.now() + timedelta(milliseconds=delay)
        heapq.heappush(queue.delayed, (due, next(self._sequence), message))

    def _release_due(self, queue: _Queue) -> None:
        if not queue.delayed:
            return
        now = self._clock.now()
        while queue.delayed and queue.delayed[0][0] <= now:
            queue.ready.append(heapq.heappop(queue.delayed)[2])

    def _now(self) -> datetime:
        return self._clock.now()


class MemoryConsumer:
    """Consumes one service's queue of a MemoryBus in the calling thread."""

    def __init__(self, bus: MemoryBus, service: str, dispatcher: Dispatcher, batch_size: int):
        self._bus = bus
        self._service = service
        self._dispatcher = dispatcher
        self._batch_size = max(1, batch_size)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            batch = self._bus._take(self._service, self._batch_size, timeout=0.1)
            if batch:
                self.handle(batch)

    def handle(self, batch: list[Message]) -> None:
        deliveries = [Delivery(message.body, message.attempts) for message in batch]
        try:
            outcomes = self._dispatcher.handle_batch(deliveries)
        except Exception:
            log.exception("dispatcher crashed; %d messages requeued", len(batch))
            self._bus._requeue(self._service, batch)
            return
        for message, outcome in zip(batch, outcomes, strict=True):
            self._bus._settle(self._service, message, outcome)


def topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic matching: `*` is one word, `#` is zero or more words."""
    return _match(tuple(pattern.split(".")), tuple(routing_key.split(".")))


@lru_cache(maxsize=4096)
def _match(pattern: tuple[str, ...], words: tuple[str, ...]) -> bool:
    if not pattern:
        return not words
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return any(_match(rest, words[i:]) for i in range(len(words) + 1))
    if not words:
        return False
    return (head in ("*", words[0])) and _match(rest, words[1:])
