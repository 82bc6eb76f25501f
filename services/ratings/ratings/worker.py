"""The ratings worker: relays the outbox, keeps the read model from orders' and
fulfillment's events, and runs the timers (invitations, unanswered cases).

    python -m ratings.worker
"""

from __future__ import annotations

from common.clock import Clock
from common.events.transport import Transport
from common.worker import Worker, service_worker
from ratings import handlers, timers
from ratings.settings import SERVICE, Settings


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
        handlers.HANDLERS,
        handlers.BINDINGS,
        timers=lambda engine, clock: timers.timers(settings, engine, clock),
        transport=transport,
        clock=clock,
    )


def main() -> None:
    build_worker().run()


if __name__ == "__main__":
    main()
