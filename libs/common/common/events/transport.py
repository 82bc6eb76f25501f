"""What every transport offers, so a worker never knows which one it runs on.

`RabbitTransport` (common.events.rabbit) serves the real deployment;
`MemoryBus` (common.events.memory) serves the one-process mode and fast tests.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from common.events.envelope import Envelope

if TYPE_CHECKING:
    from common.events.consumer import Dispatcher


class PublishFailed(RuntimeError):
    """The broker did not confirm every message of a batch (nack, timeout, lost link).

    Some messages of the batch may have reached the broker anyway: the caller
    keeps them unsent and publishes them again, and the inbox absorbs the copies.
    """


class PendingPublish(Protocol):
    def wait(self) -> None:
        """Block until the broker confirmed every message; raise PublishFailed if not."""
        ...


class Published:
    """A publish that is already settled (the in-memory bus, an empty batch)."""

    def __init__(self, error: PublishFailed | None = None) -> None:
        self._error = error

    def wait(self) -> None:
        if self._error is not None:
            raise self._error


class Publisher(Protocol):
    def publish_batch(self, envelopes: Sequence[Envelope]) -> None:
        """Return once the broker has every envelope; raise PublishFailed if not."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class AsyncPublisher(Publisher, Protocol):
    def publish_batch_async(self, envelopes: Sequence[Envelope]) -> PendingPublish:
        """Send now, confirm later: lets the relay overlap batches."""
        ...


class Consumer(Protocol):
    def run(self, stop: threading.Event) -> None:
        """Consume until `stop` is set, then finish the messages in hand and return."""
        ...


class Transport(Protocol):
    prefix: str

    def declare(
        self,
        service: str,
        bindings: Sequence[str],
        delays_ms: Sequence[int],
        delivery_limit: int = ...,
    ) -> None: ...

    def publisher(self) -> Publisher:
        """A publisher for the calling thread (RabbitMQ: its own connection)."""
        ...

    def consumer(
        self,
        service: str,
        dispatcher: Dispatcher,
        *,
        prefetch: int,
        delays_ms: Sequence[int],
        batch_size: int = ...,
    ) -> Consumer: ...

    def replay(self, service: str, limit: int | None = None) -> int:
        """Move dead letters back to the service's main queue; returns how many."""
        ...

    def close(self) -> None: ...


def transport_from_url(url: str, prefix: str) -> Transport:
    """RabbitMQ for amqp:// and amqps:// URLs, a fresh MemoryBus for memory://."""
    if url.startswith(("amqp://", "amqps://")):
        from common.events.rabbit import RabbitTransport

        return RabbitTransport(url, prefix)
    if url.startswith("memory://"):
        from common.events.memory import MemoryBus

        return MemoryBus(prefix=prefix)
    raise ValueError(f"unsupported bus URL scheme in {url.split('://', 1)[0]!r}")
