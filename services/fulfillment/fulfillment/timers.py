"""The fulfillment worker's timers, each a sweep at `now` (an injectable clock):

deliver_courier_webhooks   the sandbox courier pushes its due tracking events
poll_quiet_couriers        parcels a courier has been silent about, asked for
sweep_uncollected          pickups waiting 30 days get a reminder, 60 go back
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine

from common.clock import Clock
from common.worker import Timer
from fulfillment import pickup, tracking
from fulfillment.settings import Settings
from fulfillment.wiring import build_context, build_sender


def timers(settings: Settings, engine: Engine, clock: Clock) -> list[Timer]:
    """Every timer of fulfillment's worker."""
    context = build_context(settings, engine, clock)
    sender = build_sender(settings, engine)
    interval = settings.timer_interval_seconds

    def deliver_courier_webhooks(now: datetime) -> int:
        return len(sender.deliver_due(now))

    def poll_quiet_couriers(now: datetime) -> int:
        return tracking.poll_quiet_couriers(context, now)

    def sweep_uncollected(now: datetime) -> int:
        return pickup.sweep_uncollected(context, now)

    return [
        ("deliver_courier_webhooks", deliver_courier_webhooks, interval),
        ("poll_quiet_couriers", poll_quiet_couriers, interval),
        ("sweep_uncollected", sweep_uncollected, interval),
    ]
