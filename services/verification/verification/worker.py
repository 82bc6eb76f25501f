"""Verification's worker: relays its outbox (the document-set events) and keeps
each order's document case in step with orders' events.

    python -m verification.worker
"""

from __future__ import annotations

from common.clock import Clock, SystemClock
from common.db import UnitOfWork, make_engine, make_session_factory
from common.events.transport import Transport, transport_from_url
from common.logging import configure_logging
from common.worker import Worker
from verification.handlers import BINDINGS, HANDLERS
from verification.settings import SERVICE, Settings


def build_worker(
    settings: Settings | None = None,
    *,
    transport: Transport | None = None,
    clock: Clock | None = None,
) -> Worker:
    settings = settings or Settings.from_env()
    configure_logging(SERVICE, settings.common.log_format)
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    clock = clock or SystemClock()

    def uow_factory() -> UnitOfWork:
        return UnitOfWork(sessions, SERVICE, clock)

    return Worker(
        SERVICE,
        settings.common,
        engine,
        HANDLERS,
        uow_factory,
        bindings=BINDINGS,
        transport=transport
        or transport_from_url(settings.common.bus_url, settings.common.bus_prefix),
        clock=clock,
    )


def main() -> None:
    build_worker().run()


if __name__ == "__main__":
    main()
