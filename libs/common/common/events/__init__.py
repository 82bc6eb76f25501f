"""The event bus: envelope, outbox, inbox, topology, transports, relay, consumer."""

from common.events.envelope import Envelope, MalformedEvent

__all__ = ["Envelope", "MalformedEvent"]
