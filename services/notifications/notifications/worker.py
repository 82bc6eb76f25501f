"""The notifications worker: relays the outbox, turns the lifecycle's events into
messages, and runs the timers (sending, the photos reminder, the sandbox's receipts).

    python -m notifications.worker
"""

from __future__ import annotations

from common.clock import Clock
from common.events.transport import Transport
from common.worker import Worker, service_worker
from notifications import handlers, timers
from notifications.settings import SERVICE, Settings
from notifications.wiring import build_context


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
        # The handlers read the pickup code from fulfillment and write links from the settings.
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
