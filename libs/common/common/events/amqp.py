"""Small pieces both RabbitMQ clients share: connection parameters and message shapes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pika

from common.events.envelope import Envelope

HEARTBEAT_SECONDS = 30
# A broker under memory or disk alarm blocks publishers; give up after this
# long so the connection is re-made instead of hanging a relay forever.
BLOCKED_TIMEOUT_SECONDS = 60

ATTEMPTS = "x-attempts"
ORIGINAL_ROUTING_KEY = "x-original-routing-key"
DEAD_REASON = "x-dead-reason"
DEAD_AT = "x-dead-at"
# Headers the broker or the dead-lettering added; replay strips them.
_DEAD_HEADERS = (DEAD_REASON, DEAD_AT, ATTEMPTS, "x-death", "x-first-death", "x-last-death")


def connection_parameters(url: str) -> pika.URLParameters:
    params = pika.URLParameters(url)
    if "heartbeat=" not in url:
        params.heartbeat = HEARTBEAT_SECONDS
    if "blocked_connection_timeout=" not in url:
        params.blocked_connection_timeout = BLOCKED_TIMEOUT_SECONDS
    params.connection_attempts = 1
    return params


@dataclass(frozen=True)
class OutgoingMessage:
    """One message to publish; `must_route` marks a publish straight to a queue,
    where "no queue took it" means the message is lost, not merely unwanted."""

    exchange: str
    routing_key: str
    body: bytes
    properties: pika.BasicProperties
    must_route: bool = False


def event_message(exchange: str, envelope: Envelope) -> OutgoingMessage:
    properties = pika.BasicProperties(
        delivery_mode=2,
        content_type="application/json",
        message_id=envelope.id,
        type=envelope.type,
        correlation_id=envelope.correlation_id,
        app_id=envelope.producer,
        timestamp=int(envelope.occurred_at.timestamp()),
    )
    return OutgoingMessage(exchange, envelope.routing_key, envelope.to_json(), properties)


def attempts_of(properties: pika.BasicProperties) -> int:
    """The x-attempts header as a whole number; garbage counts as no attempt yet."""
    raw = (properties.headers or {}).get(ATTEMPTS, 0)
    try:
        return max(0, int(raw))
    except (TypeError, ValueError):
        return 0


def with_headers(
    properties: pika.BasicProperties,
    add: Mapping[str, Any],
    remove: tuple[str, ...] = (),
) -> pika.BasicProperties:
    """A persistent copy of `properties` with headers added and removed."""
    headers = {k: v for k, v in (properties.headers or {}).items() if k not in remove}
    headers.update(add)
    return pika.BasicProperties(
        delivery_mode=2,
        content_type=properties.content_type,
        message_id=properties.message_id,
        type=properties.type,
        correlation_id=properties.correlation_id,
        app_id=properties.app_id,
        timestamp=properties.timestamp,
        headers=headers,
    )


def without_dead_headers(properties: pika.BasicProperties) -> pika.BasicProperties:
    return with_headers(properties, {}, remove=_DEAD_HEADERS)


def now_iso() -> str:
    return datetime.now(UTC).isoformat()
