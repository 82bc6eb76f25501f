"""What every transport offers, so a worker never knows which one it runs on.

`RabbitTransport` (common.events.rabbit) serves the real deployment;
`MemoryBus` (common.events.memory) serves the one-process mode and fast tests.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from common.events.envelope import Envelope

if TYPE_CHECKING:
    from common.events.consumer import Dispatcher


class PublishFailed(RuntimeError):
    """The broker did not confirm every message of a batch (nack, timeout, lost link).

    Some messages of the batch may have reached the broker anyway: the caller
    keeps them unsent and publishes them again, and the inbox absorbs the copies.
    """


class Publisher(Protocol):
    def publish_batch(self, envelopes: Sequence[Envelope]) -> None: ...

    def close(self) -> None: ...


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
