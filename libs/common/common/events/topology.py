"""Exchange and queue names, and declaring them on RabbitMQ.

Every name derives from one prefix, so a test run or a second deployment on
the same broker never touches another's queues. Each consuming service owns:

- `{prefix}.{service}`: its main queue (quorum). `x-delivery-limit` catches a
  message that keeps crashing the consumer process before it can even ack or
  retry it; the broker then dead-letters it.
- `{prefix}.{service}.retry-quorum.{delay_ms}`: one waiting room per retry
  delay. A message sits there for its TTL, then the broker moves it back
  through the default exchange to this service's main queue only (not to
  every consumer of the event, which would repeat it for services that handled
  it fine). A quorum queue with at-least-once dead-lettering: it lets a
  message go only once the main queue has confirmed it. A classic queue (the
  `.retry.{delay_ms}` queues before) dead-letters at most once, and every
  message whose TTL ran out while the broker restarted was dropped, the main
  queue not being up yet to take it (the fault suite lost applications so).
- `{prefix}.{service}.dead`: the dead letters, replayed by `licensing-replay`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

DEFAULT_DELIVERY_LIMIT = 20


def exchange_name(prefix: str) -> str:
    return f"{prefix}.events"


def main_queue(prefix: str, service: str) -> str:
    return f"{prefix}.{service}"


def retry_queue(prefix: str, service: str, delay_ms: int) -> str:
    return f"{prefix}.{service}.retry-quorum.{delay_ms}"


def dead_queue(prefix: str, service: str) -> str:
    return f"{prefix}.{service}.dead"


def retry_delay_for(delays_ms: Sequence[int], failed_attempts: int) -> int:
    """The delay before the next attempt: the n-th delay, then the last one forever."""
    if not delays_ms:
        raise ValueError("at least one retry delay is needed")
    return delays_ms[min(max(failed_attempts, 1), len(delays_ms)) - 1]


def declare(
    channel: Any,
    prefix: str,
    service: str,
    bindings: Sequence[str],
    delays_ms: Sequence[int],
    delivery_limit: int = DEFAULT_DELIVERY_LIMIT,
) -> None:
    """Declare the exchange and the service's queues; safe to run on every start.

    `channel` is a pika BlockingChannel. Re-declaring with the same arguments
    is a no-op on the broker; bindings removed from the list stay bound until
    someone unbinds them (AMQP cannot list them).
    """
    exchange = exchange_name(prefix)
    main = main_queue(prefix, service)
    dead = dead_queue(prefix, service)
    channel.exchange_declare(exchange=exchange, exchange_type="topic", durable=True)
    channel.queue_declare(queue=dead, durable=True, arguments={"x-queue-type": "quorum"})
    channel.queue_declare(queue=main, durable=True, arguments=_main_arguments(dead, delivery_limit))
    for delay in delays_ms:
        channel.queue_declare(
            queue=retry_queue(prefix, service, delay),
            durable=True,
            arguments=_retry_arguments(main, delay),
        )
    for routing_key in bindings:
        channel.queue_bind(queue=main, exchange=exchange, routing_key=routing_key)


def _retry_arguments(main: str, delay_ms: int) -> dict[str, Any]:
    return {"x-message-ttl": int(delay_ms), **_quorum_dead_lettering_to(main)}


def _main_arguments(dead: str, delivery_limit: int) -> dict[str, Any]:
    return {"x-delivery-limit": int(delivery_limit), **_quorum_dead_lettering_to(dead)}


def _quorum_dead_lettering_to(queue: str) -> dict[str, Any]:
    """A quorum queue that hands its dead letters to `queue` through the default
    exchange, each only once `queue` has it (at least once, never dropped)."""
    return {
        "x-queue-type": "quorum",
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": queue,
        # At-least-once dead-lettering needs reject-publish overflow; no length
        # limit is set, so it never rejects anything in practice.
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }


def delete(channel: Any, prefix: str, service: str, delays_ms: Sequence[int]) -> None:
    """Delete the service's queues (tests and benchmarks clean up with this)."""
    names = [main_queue(prefix, service), dead_queue(prefix, service)]
    names += [retry_queue(prefix, service, delay) for delay in delays_ms]
    for name in names:
        channel.queue_delete(queue=name)


def delete_exchange(channel: Any, prefix: str) -> None:
    channel.exchange_delete(exchange=exchange_name(prefix))
