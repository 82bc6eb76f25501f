"""The notifications worker: relays the outbox, turns the lifecycle's events into
messages, and runs the timers (sending, the photos reminder, the sandbox's receipts).

    python -m notifications.worker
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from common.clock import Clock
from common.events.consumer import Handler
from common.events.transport import Transport
from common.worker import Worker, service_worker
from notifications import handlers, timers
from notifications.dispatcher import BatchReadingDispatcher
from notifications.services import Context
from notifications.settings import SERVICE, Settings
from notifications.wiring import build_context


def build_worker(
    settings: Settings | None = None,
    *,
    transport: Transport | None = None,
    clock: Clock | None = None,
) -> Worker:
    settings = settings or Settings.from_env()
    built: list[Context] = []

    def handlers_on(engine: Engine, clock: Clock) -> dict[str, Handler]:
        # The handlers read the pickup code from fulfillment and write links from the settings.
        built.append(build_context(settings, engine, clock))
        return handlers.handlers_for(built[0])

    worker = service_worker(
        SERVICE,
        settings.common,
        handlers_on,
        handlers.BINDINGS,
        timers=lambda engine, clock: timers.timers(settings, engine, clock),
        transport=transport,
        clock=clock,
    )
    # Common's dispatcher, telling the handlers which orders each batch is about.
    worker.dispatcher = BatchReadingDispatcher(
        SERVICE, worker.dispatcher.handlers, built[0].uow,
        max_attempts=settings.common.max_attempts, hint=built[0].batch,
    )  # fmt: skip
    return worker


def main() -> None:
    build_worker().run()


if __name__ == "__main__":
    main()
