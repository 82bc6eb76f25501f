"""The event bus: envelope, outbox, inbox, topology, transports, relay, consumer.

Where things are (import from the module; this package imports nothing heavy,
because common.db imports the envelope from here):

- envelope.Envelope, MalformedEvent      the message and its strict parsing
- tables.outbox, inbox                   the two tables every service database has
  (the outbox's NOTIFY trigger on PostgreSQL; install_outbox_trigger)
- consumer.Dispatcher, Outcome           inbox + handler + outcome, batch by batch;
  PermanentFailure, StaleEvent           what a handler raises to dead-letter or ignore
- relay.relay_once, run_relay            outbox → broker, confirmed, SKIP LOCKED
- wakeup.outbox_wakeup                   the relay's LISTEN for commits; the poll as fallback
- metrics.HopMetrics                     event_hop_seconds, served by the worker's /metrics
- transport.transport_from_url           RabbitTransport (amqp://) or MemoryBus (memory://)
- rabbit.RabbitTransport, RabbitPublisher, RabbitConsumer
- memory.MemoryBus                       the one-process mode and fast tests
- replay.replay, main                    `licensing-replay --service NAME`
- topology                               exchange and queue names, declare()
- testkit                                helpers for tests of the bus and of services
"""

from common.events.envelope import Envelope, MalformedEvent

__all__ = ["Envelope", "MalformedEvent"]
