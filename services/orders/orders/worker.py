"""The orders worker: relays the outbox, records verification's verdicts on
the documents, fires the timers (unpaid expiry, idle drafts) and delivers the
sandbox provider's due webhooks.

    python -m orders.worker
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from sqlalchemy.engine import Engine

from common.clock import Clock
from common.events.transport import Transport
from common.worker import Timer, Worker, service_worker
from orders import sweeps
from orders.handlers import BINDINGS, HANDLERS
from orders.settings import SERVICE, Settings
from orders.wiring import build_context, build_webhook_sender


def build_worker(
    settings: Settings | None = None,
    *,
    transport: Transport | None = None,
    clock: Clock | None = None,
) -> Worker:
    settings = settings or Settings.from_env()
    return service_worker(
        SERVICE,
        settings.common,
        HANDLERS,
        BINDINGS,
        timers=partial(timers, settings),
        transport=transport,
        clock=clock,
    )


def timers(settings: Settings, engine: Engine, clock: Clock) -> list[Timer]:
    context = build_context(settings, engine, clock)
    sender = build_webhook_sender(settings, engine)

    def expire_unpaid(now: datetime) -> int:
        return sweeps.expire_unpaid_orders(context, now)

    def discard_idle_drafts(now: datetime) -> int:
        return sweeps.discard_idle_drafts(context, now)

    def deliver_sandbox_webhooks(now: datetime) -> int:
        return len(sender.deliver_due(now))

    return [
        ("expire_unpaid", expire_unpaid, settings.timer_interval_seconds),
        ("discard_idle_drafts", discard_idle_drafts, settings.timer_interval_seconds),
        (
            "deliver_sandbox_webhooks",
            deliver_sandbox_webhooks,
            settings.sandbox_webhook_interval_seconds,
        ),
    ]


def main() -> None:
    build_worker().run()


if __name__ == "__main__":
    main()
