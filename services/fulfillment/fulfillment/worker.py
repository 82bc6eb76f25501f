"""The fulfillment worker: relays the outbox, opens and cancels production jobs
from orders' events, and runs the timers (the sandbox courier's webhooks,
polling a quiet courier, uncollected pickups).

    python -m fulfillment.worker
"""

from __future__ import annotations

from common.clock import Clock
from common.events.transport import Transport
from common.worker import Worker, service_worker
from fulfillment import handlers, timers
from fulfillment.settings import SERVICE, Settings
from fulfillment.wiring import build_context


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
        # The handlers cancel waybills with the courier, built on the engine and clock.
        lambda engine, clock: handlers.handlers_for(build_context(settings, engine, clock)),
        handlers.BINDINGS,
        timers=lambda engine, clock: timers.timers(settings, engine, clock),
        transport=transport,
        clock=clock,
    )


def main() -> None:
    build_worker().run()


if __name__ == "__main__":
    main()
