"""The event bus: envelope, outbox, inbox, topology, transports, relay, consumer.

Where things are (import from the module; this package imports nothing heavy,
because common.db imports the envelope from here):

- envelope.Envelope, MalformedEvent      the message and its strict parsing
- tables.outbox, inbox                   the two tables every service database has
- consumer.Dispatcher, Outcome           inbox + handler + outcome, batch by batch;
  PermanentFailure, StaleEvent           what a handler raises to dead-letter or ignore
- relay.relay_once, run_relay            outbox → broker, confirmed, SKIP LOCKED
- transport.transport_from_url           RabbitTransport (amqp://) or MemoryBus (memory://)
- rabbit.RabbitTransport, RabbitPublisher, RabbitConsumer
- memory.MemoryBus                       the one-process mode and fast tests
- replay.replay, main                    `licensing-replay --service NAME`
- topology                               exchange and queue names, declare()
- testkit                                helpers for tests of the bus and of services
"""

from common.events.envelope import Envelope, MalformedEvent

__all__ = ["Envelope", "MalformedEvent"]
