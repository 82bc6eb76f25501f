"""The orders worker: relays the outbox, follows verification's events (the
document verdicts, each step of the review), fires the timers (unpaid expiry,
idle drafts, the capture after an approval and the release of the money after
a rejection) and delivers the sandbox provider's due webhooks.

    python -m orders.worker
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine

from common.clock import Clock, SystemClock
from common.db import make_engine
from common.events.transport import Transport, transport_from_url
from common.logging import configure_logging
from common.worker import Timer, Worker
from orders import sweeps
from orders.handlers import BINDINGS, bind_handlers
from orders.services import Context
from orders.settings import SERVICE, Settings
from orders.wiring import build_context, build_webhook_sender


def build_worker(
    settings: Settings | None = None,
    *,
    transport: Transport | None = None,
    clock: Clock | None = None,
) -> Worker:
    """common.worker.service_worker's worker, built by hand because the handlers
    need the Context (its payment provider), which needs the engine first."""
    settings = settings or Settings.from_env()
    common = settings.common
    configure_logging(SERVICE, common.log_format)
    engine = make_engine(common.database_url)
    clock = clock or SystemClock()
    context = build_context(settings, engine, clock)
    return Worker(
        SERVICE,
        common,
        engine,
        bind_handlers(context),
        context.uow,
        bindings=BINDINGS,
        transport=transport or transport_from_url(common.bus_url, common.bus_prefix),
        timers=timers(settings, context, engine),
        clock=clock,
    )


def timers(settings: Settings, context: Context, engine: Engine) -> list[Timer]:
    sender = build_webhook_sender(settings, engine)

    def expire_unpaid(now: datetime) -> int:
        return sweeps.expire_unpaid_orders(context, now)

    def discard_idle_drafts(now: datetime) -> int:
        return sweeps.discard_idle_drafts(context, now)

    def move_the_money(now: datetime) -> int:
        return sweeps.move_the_money(context, now)

    def deliver_sandbox_webhooks(now: datetime) -> int:
        return len(sender.deliver_due(now))

    return [
        ("expire_unpaid", expire_unpaid, settings.timer_interval_seconds),
        ("discard_idle_drafts", discard_idle_drafts, settings.timer_interval_seconds),
        ("move_the_money", move_the_money, settings.timer_interval_seconds),
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
