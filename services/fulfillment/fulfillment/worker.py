"""The fulfillment worker: relays the outbox, opens and cancels production jobs
from orders' events, and runs the timers (the sandbox courier's webhooks,
polling a quiet courier, uncollected pickups).

    python -m fulfillment.worker
"""

from __future__ import annotations

from common.clock import Clock, SystemClock
from common.db import make_engine
from common.events.transport import Transport, transport_from_url
from common.logging import configure_logging
from common.worker import Worker
from fulfillment import timers
from fulfillment.handlers import BINDINGS, bind_handlers
from fulfillment.settings import SERVICE, Settings


def build_worker(
    settings: Settings | None = None,
    *,
    transport: Transport | None = None,
    clock: Clock | None = None,
) -> Worker:
    """common.worker's Worker, built by hand because the handlers need the Context
    (its courier), which needs the engine first."""
    settings = settings or Settings.from_env()
    common = settings.common
    configure_logging(SERVICE, common.log_format)
    engine = make_engine(common.database_url)
    clock = clock or SystemClock()
    context, sweeps = timers.build(settings, engine, clock)
    return Worker(
        SERVICE,
        common,
        engine,
        bind_handlers(context),
        context.uow,
        bindings=BINDINGS,
        transport=transport or transport_from_url(common.bus_url, common.bus_prefix),
        timers=sweeps,
        clock=clock,
    )


def main() -> None:
    build_worker().run()


if __name__ == "__main__":
    main()
