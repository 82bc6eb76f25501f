"""The consumer's Prometheus metrics, served by the worker (common.worker).

`event_hop_seconds{event_type}`: from an event's `occurred_at` (the producer's
clock, when its transaction wrote the event) to the commit of the consumer's
transaction that handled it. It spans the producer's commit, the relay, the
broker and the consumer, so it is what a user waits for between one service's
step and the next's. Duplicates and events the service has no handler for are
not counted. The producer's and the consumer's clocks are assumed to agree (one
machine, or NTP); a hop that comes out negative is counted as zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Histogram

from common.events.envelope import Envelope

# Fine below 100 ms, where the relay's wake-up matters, coarse above.
HOP_BUCKETS = (
    0.002, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08,
    0.09, 0.1, 0.125, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0,
    10.0, 30.0, 60.0,
)  # fmt: skip


class HopMetrics:
    """The event hop histogram in a registry of its own (one per worker)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.hop = Histogram(
            "event_hop_seconds",
            "From an event's occurred_at to the commit of the consumer's transaction",
            ["event_type"],
            registry=self.registry,
            buckets=HOP_BUCKETS,
        )

    def committed(self, envelopes: Iterable[Envelope]) -> None:
        """Call right after the commit that holds the envelopes' effects."""
        now = datetime.now(UTC)
        for envelope in envelopes:
            seconds = (now - envelope.occurred_at).total_seconds()
            self.hop.labels(event_type=envelope.type).observe(max(seconds, 0.0))
